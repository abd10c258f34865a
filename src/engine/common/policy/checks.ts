/**
 * The parsed form of a check string: a tree of checks, as in oslo.policy's _checks module.
 * Leaf checks keep their source text and 0-based position so errors and traces can point at them.
 */

interface Located {
  /** The leaf as written, e.g. `role:admin`. */
  text: string;
  /** 0-based offset of the leaf in its check string. */
  position: number;
}

/** `@` or an empty check string: always allowed. */
export interface TrueCheck {
  kind: "true";
}
/** `!`: never allowed. */
export interface FalseCheck {
  kind: "false";
}
export interface AndCheck {
  kind: "and";
  checks: Check[];
}
export interface OrCheck {
  kind: "or";
  checks: Check[];
}
export interface NotCheck {
  kind: "not";
  check: Check;
}
/** `rule:name`: evaluate another rule. */
export interface RuleCheck extends Located {
  kind: "rule";
  name: string;
}
/** `role:name`: the credentials carry this role (case-insensitive); `name` may use `%(target)s` substitution. */
export interface RoleCheck extends Located {
  kind: "role";
  match: string;
}
/**
 * `field:match`: `match` (after `%(key)s` substitution from the target) equals the credential at the dotted
 * `field` path, or, when `field` is a literal (`True`, `'value'`, `1`, `None`), equals that literal.
 */
export interface GenericCheck extends Located {
  kind: "generic";
  field: string;
  match: string;
  /** Set when `field` is a literal; the string Python's str() gives for it. */
  literal?: string;
}

export type Check = TrueCheck | FalseCheck | AndCheck | OrCheck | NotCheck | RuleCheck | RoleCheck | GenericCheck;
export type LeafCheck = RuleCheck | RoleCheck | GenericCheck;

const BINDING: Record<Check["kind"], number> = {
  or: 1,
  and: 2,
  not: 3,
  true: 4,
  false: 4,
  rule: 4,
  role: 4,
  generic: 4,
};

/** Renders a check back into the policy language, with only the parentheses precedence needs. */
export function formatCheck(check: Check): string {
  const inner = (child: Check, parent: Check["kind"]) => {
    const text = formatCheck(child);
    return BINDING[child.kind] <= BINDING[parent] && child.kind !== parent ? `(${text})` : text;
  };
  switch (check.kind) {
    case "true":
      return "@";
    case "false":
      return "!";
    case "and":
    case "or":
      return check.checks.map((c) => inner(c, check.kind)).join(` ${check.kind} `);
    case "not":
      return `not ${BINDING[check.check.kind] < BINDING.not ? `(${formatCheck(check.check)})` : formatCheck(check.check)}`;
    default:
      return check.text;
  }
}

/** Every `rule:` reference in a tree, in source order. */
export function ruleReferences(check: Check): RuleCheck[] {
  switch (check.kind) {
    case "rule":
      return [check];
    case "and":
    case "or":
      return check.checks.flatMap(ruleReferences);
    case "not":
      return ruleReferences(check.check);
    default:
      return [];
  }
}
