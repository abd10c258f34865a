import { statSync } from "node:fs";
import { type Check, ruleReferences } from "./checks.js";
import { PolicyInvalidScope, PolicyNotAuthorized, PolicyNotRegistered, PolicyParseError } from "./errors.js";
import { type EvaluationScope, type ExplainNode, evaluate, explain, failedLeaves } from "./evaluate.js";
import { parseCheckString } from "./parser.js";
import { readPolicyFile } from "./policy-file.js";
import { type RuleDefault, SCOPE_TYPES, type ScopeType } from "./rule-default.js";

export interface EnforcerOptions {
  /** YAML or JSON overrides (rule name → check string); re-read when the file changes, like oslo. */
  policyFile?: string;
  /** In-memory overrides applied on top of the file (tests, `os policy check --rule`). */
  rules?: Record<string, string>;
  /**
   * Deny when the token's scope is not in the rule's scopeTypes (oslo [oslo_policy] enforce_scope).
   * Off by default, as in Zed.
   */
  enforceScope?: boolean;
  /**
   * Use only the new defaults, without OR-ing in deprecated ones (oslo [oslo_policy] enforce_new_defaults).
   * Off by default, as in Zed: e.g. a project admin still passes `rule:admin_required` fallbacks.
   */
  enforceNewDefaults?: boolean;
}

/** Where a rule's effective check came from. */
export type RuleOrigin = "default" | "default+deprecated" | "file" | "override";

/** One row of `os policy list`. */
export interface PolicyRuleInfo {
  name: string;
  /** What is enforced. */
  checkStr: string;
  origin: RuleOrigin;
  /** Declared in code (false for rules only the policy file defines). */
  registered: boolean;
  /** The in-code default, when the file or an override replaced it. */
  defaultCheckStr?: string;
  description?: string;
  scopeTypes?: readonly string[];
  operations?: readonly { method: string; path: string }[];
  deprecatedCheckStr?: string;
}

/** The outcome of one enforcement with every step recorded: for `os policy check` and trace spans. */
export interface PolicyDecision {
  action: string;
  allowed: boolean;
  /** The effective check string that was evaluated. */
  checkStr: string;
  tokenScope: ScopeType;
  /** False when scope enforcement denied the request before the check string was looked at. */
  scopeAllowed: boolean;
  trace: ExplainNode;
  /** The leaf checks that came out false, e.g. `role:admin (creds.roles [reader] lack "admin")`. */
  failed: string[];
}

interface EffectiveRule {
  check: Check;
  checkStr: string;
  origin: RuleOrigin;
  /** The policy file the rule came from, for error messages. */
  source?: string;
}

type Dict = Record<string, unknown>;

/** System, domain or project: how oslo.policy reads a token's scope from the credentials. */
export function tokenScopeOf(creds: Dict): ScopeType {
  if (creds.system) return "system";
  if (creds.domain_id) return "domain";
  return "project";
}

/**
 * oslo.policy's Enforcer: defaults registered in code, overridden or extended by a policy file,
 * validated at load (syntax, unknown `rule:` references, reference cycles), then enforced per request.
 */
export class Enforcer {
  private readonly registered = new Map<string, RuleDefault>();
  private rules = new Map<string, EffectiveRule>();
  private fileStamp?: string;

  constructor(
    defaults: readonly RuleDefault[],
    private readonly options: EnforcerOptions = {},
  ) {
    for (const rule of defaults) {
      if (this.registered.has(rule.name)) throw new Error(`Policy ${rule.name} is already registered`);
      for (const scope of rule.scopeTypes ?? []) {
        if (!(SCOPE_TYPES as readonly string[]).includes(scope)) {
          throw new Error(`Policy ${rule.name}: unknown scope type '${scope}' (expected one of ${SCOPE_TYPES.join(", ")})`);
        }
      }
      this.registered.set(rule.name, rule);
    }
    this.load();
  }

  /** Re-reads the policy file and rebuilds the effective rules; throws if the new rules are invalid. */
  load(): void {
    const { policyFile } = this.options;
    const fileRules = policyFile ? readPolicyFile(policyFile) : new Map<string, string>();
    this.fileStamp = policyFile ? stampOf(policyFile) : undefined;
    const overrides = new Map<string, { text: string; origin: RuleOrigin; source?: string }>();
    for (const [name, text] of fileRules) overrides.set(name, { text, origin: "file", source: policyFile });
    for (const [name, text] of Object.entries(this.options.rules ?? {})) overrides.set(name, { text, origin: "override" });

    const rules = new Map<string, EffectiveRule>();
    for (const [name, { text, origin, source }] of overrides) {
      rules.set(name, { check: parseWithSource(text, name, source), checkStr: text, origin, source });
    }
    for (const rule of this.registered.values()) {
      if (rules.has(rule.name)) continue;
      rules.set(rule.name, this.effectiveDefault(rule, overrides));
    }
    validateReferences(rules);
    this.rules = rules;
  }

  /** A default's check, combined with its deprecated predecessor as oslo does while new defaults are not enforced. */
  private effectiveDefault(rule: RuleDefault, overrides: Map<string, { text: string; source?: string }>): EffectiveRule {
    const check = parseCheckString(rule.checkStr, rule.name);
    const deprecated = rule.deprecatedRule;
    if (!deprecated) return { check, checkStr: rule.checkStr, origin: "default" };
    const oldName = deprecated.name ?? rule.name;
    // A renamed policy whose old name the operator still overrides keeps the operator's rule.
    const renamedOverride = oldName !== rule.name ? overrides.get(oldName) : undefined;
    if (renamedOverride && renamedOverride.text !== deprecated.checkStr && renamedOverride.text !== `rule:${rule.name}`) {
      return {
        check: parseWithSource(renamedOverride.text, oldName, renamedOverride.source),
        checkStr: renamedOverride.text,
        origin: "file",
        source: renamedOverride.source,
      };
    }
    if (this.options.enforceNewDefaults || deprecated.checkStr === rule.checkStr) {
      return { check, checkStr: rule.checkStr, origin: "default" };
    }
    const old = parseCheckString(deprecated.checkStr, rule.name);
    const combined: Check = { kind: "or", checks: [check, old] };
    return { check: combined, checkStr: `(${orEmpty(rule.checkStr)}) or (${orEmpty(deprecated.checkStr)})`, origin: "default+deprecated" };
  }

  /** Reloads when the policy file changed on disk since the last load (oslo re-reads a modified file). */
  private refresh(): void {
    const { policyFile } = this.options;
    if (policyFile && stampOf(policyFile) !== this.fileStamp) this.load();
  }

  private lookup(action: string): EffectiveRule {
    this.refresh();
    const rule = this.rules.get(action);
    if (!rule) throw new PolicyNotRegistered(action);
    return rule;
  }

  private scope(target: object, creds: object): EvaluationScope {
    const normalized: Dict = { ...(creds as Dict) };
    // oslo.context calls it system_scope, older checks read `system`; oslo sets both.
    if (normalized.system_scope) normalized.system = normalized.system_scope;
    return { target: (target ?? {}) as Dict, creds: normalized, lookupRule: (name) => this.rules.get(name)?.check };
  }

  private scopeAllows(action: string, creds: Dict): boolean {
    const scopeTypes = this.registered.get(action)?.scopeTypes;
    if (!this.options.enforceScope || !scopeTypes?.length) return true;
    return scopeTypes.includes(tokenScopeOf(creds));
  }

  /** Whether the credentials may perform the action on the target. Throws PolicyNotRegistered for an unknown action. */
  enforce(action: string, target: object, creds: object): boolean {
    const rule = this.lookup(action);
    const scope = this.scope(target, creds);
    if (!this.scopeAllows(action, scope.creds)) return false;
    return evaluate(rule.check, scope);
  }

  /**
   * Like enforce, but the action must be registered in code (oslo's authorize) and a denial throws
   * PolicyNotAuthorized (a 403), or PolicyInvalidScope when scope enforcement is on and the scope is wrong.
   */
  authorize(action: string, target: object, creds: object): true {
    if (!this.registered.has(action)) throw new PolicyNotRegistered(action);
    const rule = this.lookup(action);
    const scope = this.scope(target, creds);
    if (!this.scopeAllows(action, scope.creds)) {
      throw new PolicyInvalidScope(action, this.registered.get(action)?.scopeTypes ?? [], tokenScopeOf(scope.creds));
    }
    if (!evaluate(rule.check, scope)) throw new PolicyNotAuthorized(action);
    return true;
  }

  /** Enforces with every step recorded: which sub-check failed and why. */
  explain(action: string, target: object, creds: object): PolicyDecision {
    const rule = this.lookup(action);
    const scope = this.scope(target, creds);
    const scopeAllowed = this.scopeAllows(action, scope.creds);
    const trace = explain(rule.check, scope);
    const failed = scopeAllowed
      ? failedLeaves(trace).map((node) => (node.detail ? `${node.check} (${node.detail})` : node.check))
      : [`token scope ${tokenScopeOf(scope.creds)} not in [${this.registered.get(action)?.scopeTypes?.join(", ")}]`];
    return {
      action,
      allowed: scopeAllowed && trace.result,
      checkStr: rule.checkStr,
      tokenScope: tokenScopeOf(scope.creds),
      scopeAllowed,
      trace,
      failed,
    };
  }

  /** Evaluates an ad-hoc check string against the loaded rules (it may use `rule:` references). */
  check(checkStr: string, target: object, creds: object): boolean {
    return this.explainCheck(checkStr, target, creds).result;
  }

  explainCheck(checkStr: string, target: object, creds: object): ExplainNode {
    this.refresh();
    const check = parseCheckString(checkStr, "(ad hoc)");
    for (const ref of ruleReferences(check)) {
      if (!this.rules.has(ref.name)) throw new PolicyParseError("(ad hoc)", `unknown rule '${ref.name}'`, ref.position);
    }
    return explain(check, this.scope(target, creds));
  }

  /** Whether an action or base rule is known (registered or from the policy file). */
  has(name: string): boolean {
    this.refresh();
    return this.rules.has(name);
  }

  /** Every effective rule: registered defaults in registration order, then rules only the file defines. */
  listRules(): PolicyRuleInfo[] {
    this.refresh();
    const rows: PolicyRuleInfo[] = [];
    const info = (name: string, rule: EffectiveRule, def?: RuleDefault): PolicyRuleInfo => ({
      name,
      checkStr: rule.checkStr,
      origin: rule.origin,
      registered: def !== undefined,
      ...(def && rule.origin !== "default" && rule.origin !== "default+deprecated" ? { defaultCheckStr: def.checkStr } : {}),
      ...(def?.description ? { description: def.description } : {}),
      ...(def?.scopeTypes ? { scopeTypes: def.scopeTypes } : {}),
      ...(def?.operations ? { operations: def.operations } : {}),
      ...(def?.deprecatedRule ? { deprecatedCheckStr: def.deprecatedRule.checkStr } : {}),
    });
    for (const def of this.registered.values()) {
      const rule = this.rules.get(def.name);
      if (rule) rows.push(info(def.name, rule, def));
    }
    for (const [name, rule] of this.rules) {
      if (!this.registered.has(name)) rows.push(info(name, rule));
    }
    return rows;
  }
}

function orEmpty(checkStr: string): string {
  return checkStr.trim() === "" ? "@" : checkStr;
}

function stampOf(path: string): string {
  try {
    const stat = statSync(path);
    return `${stat.mtimeMs}:${stat.size}`;
  } catch {
    return "missing";
  }
}

function parseWithSource(text: string, name: string, source: string | undefined): Check {
  try {
    return parseCheckString(text, name);
  } catch (err) {
    if (err instanceof PolicyParseError && source) throw new PolicyParseError(name, err.reason, err.position, source);
    throw err;
  }
}

/** Rejects `rule:` references to undefined rules and reference cycles, naming the rule and the position. */
function validateReferences(rules: Map<string, EffectiveRule>): void {
  for (const [name, rule] of rules) {
    for (const ref of ruleReferences(rule.check)) {
      if (!rules.has(ref.name)) throw new PolicyParseError(name, `unknown rule '${ref.name}' referenced`, ref.position, rule.source);
    }
  }
  const done = new Set<string>();
  const path: string[] = [];
  const visit = (name: string): void => {
    if (done.has(name)) return;
    path.push(name);
    const rule = rules.get(name) as EffectiveRule;
    for (const ref of ruleReferences(rule.check)) {
      const loopStart = path.indexOf(ref.name);
      if (loopStart >= 0) {
        const cycle = [...path.slice(loopStart), ref.name].join(" -> ");
        throw new PolicyParseError(name, `reference cycle ${cycle}`, ref.position, rule.source);
      }
      visit(ref.name);
    }
    path.pop();
    done.add(name);
  };
  for (const name of rules.keys()) visit(name);
}
