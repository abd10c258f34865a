import type { Check, GenericCheck, LeafCheck } from "./checks.js";
import { PolicyParseError } from "./errors.js";

/**
 * The oslo.policy rule language, parsed strictly: where oslo logs a malformed rule and fails closed,
 * this parser rejects it with the rule's name and the character position, so a typo in a policy file
 * is found at load instead of as a mysterious 403.
 *
 * Tokens are whitespace-separated (as in oslo); leading `(` and trailing `)` are peeled off a token,
 * so `%(target.x)s` keeps its inner parentheses. Precedence: `not` > `and` > `or`; keywords are
 * case-insensitive.
 *
 *   or_expr  := and_expr ("or" and_expr)*
 *   and_expr := not_expr ("and" not_expr)*
 *   not_expr := "not" not_expr | "(" or_expr ")" | check
 *   check    := "@" | "!" | kind ":" match
 */

type TokenType = "(" | ")" | "and" | "or" | "not" | "check" | "string";
interface Token {
  type: TokenType;
  text: string;
  position: number;
}

/** Check kinds oslo.policy ships that this engine deliberately does not implement. */
const UNSUPPORTED_KINDS = new Set(["http", "https"]);

function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  for (const word of source.matchAll(/\S+/g)) {
    let text = word[0];
    let position = word.index;
    while (text.startsWith("(")) {
      tokens.push({ type: "(", text: "(", position });
      text = text.slice(1);
      position += 1;
    }
    if (!text) continue;
    const core = text.replace(/\)+$/, "");
    const trailing = text.length - core.length;
    if (core) {
      const lowered = core.toLowerCase();
      if (lowered === "and" || lowered === "or" || lowered === "not") {
        tokens.push({ type: lowered, text: core, position });
      } else if (text.length >= 2 && /^(['"]).*\1$/s.test(text)) {
        // A bare quoted string is a token of its own in oslo, and never a valid operand.
        tokens.push({ type: "string", text, position });
      } else {
        tokens.push({ type: "check", text: core, position });
      }
    }
    for (let i = 0; i < trailing; i++) {
      tokens.push({ type: ")", text: ")", position: position + core.length + i });
    }
  }
  return tokens;
}

/**
 * What Python's ast.literal_eval would make of a generic check's left side, rendered as str() would,
 * or undefined when it is a credential path rather than a literal.
 */
function literalValue(field: string): string | undefined {
  if (field === "True" || field === "False" || field === "None") return field;
  const quoted = /^(['"])(.*)\1$/s.exec(field);
  if (quoted) return quoted[2];
  if (/^[+-]?\d+$/.test(field)) return BigInt(field).toString();
  if (/^[+-]?(\d+\.\d*|\.\d+|\d+(\.\d*)?[eE][+-]?\d+)$/.test(field)) {
    const value = Number(field);
    return Number.isInteger(value) && Math.abs(value) < 1e16 ? `${value}.0` : String(value);
  }
  return undefined;
}

function parseLeaf(token: Token, ruleName: string): Check {
  const { text, position } = token;
  if (text === "@") return { kind: "true" };
  if (text === "!") return { kind: "false" };
  const colon = text.indexOf(":");
  if (colon <= 0) {
    throw new PolicyParseError(ruleName, `malformed check '${text}' (expected kind:match, '@' or '!')`, position);
  }
  const kind = text.slice(0, colon);
  const match = text.slice(colon + 1);
  if (UNSUPPORTED_KINDS.has(kind)) {
    throw new PolicyParseError(ruleName, `unsupported check kind '${kind}' in '${text}'`, position);
  }
  if (kind === "rule") {
    if (!match) throw new PolicyParseError(ruleName, `'rule:' needs a rule name`, position);
    return { kind: "rule", name: match, text, position } satisfies LeafCheck;
  }
  if (kind === "role") return { kind: "role", match, text, position } satisfies LeafCheck;
  const check: GenericCheck = { kind: "generic", field: kind, match, text, position };
  const literal = literalValue(kind);
  if (literal !== undefined) check.literal = literal;
  return check;
}

class Parser {
  private index = 0;

  constructor(
    private readonly tokens: Token[],
    private readonly source: string,
    private readonly ruleName: string,
  ) {}

  parse(): Check {
    const check = this.orExpr();
    const extra = this.peek();
    if (extra) {
      if (extra.type === ")") this.fail(`unexpected ')'`, extra.position);
      this.fail(`expected 'and' or 'or' before '${extra.text}'`, extra.position);
    }
    return check;
  }

  private peek(): Token | undefined {
    return this.tokens[this.index];
  }

  private fail(reason: string, position: number): never {
    throw new PolicyParseError(this.ruleName, reason, position);
  }

  private orExpr(): Check {
    const checks = [this.andExpr()];
    while (this.peek()?.type === "or") {
      this.index++;
      checks.push(this.andExpr());
    }
    return checks.length === 1 ? checks[0] : { kind: "or", checks };
  }

  private andExpr(): Check {
    const checks = [this.notExpr()];
    while (this.peek()?.type === "and") {
      this.index++;
      checks.push(this.notExpr());
    }
    return checks.length === 1 ? checks[0] : { kind: "and", checks };
  }

  private notExpr(): Check {
    const token = this.peek();
    if (!token) this.fail("unexpected end of rule, expected a check", this.source.length);
    this.index++;
    switch (token.type) {
      case "not":
        return { kind: "not", check: this.notExpr() };
      case "(": {
        const inner = this.orExpr();
        const close = this.peek();
        if (close?.type !== ")") {
          if (!close) this.fail(`unclosed '('`, token.position);
          this.fail(`expected ')' before '${close.text}'`, close.position);
        }
        this.index++;
        return inner;
      }
      case "check":
        return parseLeaf(token, this.ruleName);
      case "string":
        return this.fail(`unexpected quoted string ${token.text}`, token.position);
      default:
        return this.fail(`unexpected '${token.text}'`, token.position);
    }
  }
}

/** Parses one rule's check string; an empty (or all-blank) string means "always", as in oslo. */
export function parseCheckString(source: string, ruleName: string): Check {
  const tokens = tokenize(source);
  if (tokens.length === 0) return { kind: "true" };
  return new Parser(tokens, source, ruleName).parse();
}
