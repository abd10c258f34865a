import { describe, expect, it } from "vitest";
import { formatCheck, PolicyParseError, parseCheckString } from "../../src/engine/common/policy/index.js";

const parse = (source: string) => parseCheckString(source, "test:rule");
/** The tree with positions dropped, for shape assertions. */
const shape = (source: string) => JSON.parse(JSON.stringify(parse(source), (k, v) => (k === "position" || k === "text" ? undefined : v)));
const role = (match: string) => ({ kind: "role", match });

function parseError(source: string, name = "test:rule"): PolicyParseError {
  try {
    parseCheckString(source, name);
  } catch (err) {
    expect(err).toBeInstanceOf(PolicyParseError);
    return err as PolicyParseError;
  }
  throw new Error(`expected ${JSON.stringify(source)} to be rejected`);
}

describe("policy parser: precedence", () => {
  it("binds 'and' tighter than 'or'", () => {
    expect(shape("role:a or role:b and role:c")).toEqual({
      kind: "or",
      checks: [role("a"), { kind: "and", checks: [role("b"), role("c")] }],
    });
    expect(shape("role:a and role:b or role:c and role:d")).toEqual({
      kind: "or",
      checks: [
        { kind: "and", checks: [role("a"), role("b")] },
        { kind: "and", checks: [role("c"), role("d")] },
      ],
    });
  });

  it("binds 'not' tighter than 'and'", () => {
    expect(shape("not role:a and role:b")).toEqual({ kind: "and", checks: [{ kind: "not", check: role("a") }, role("b")] });
    expect(shape("not not role:a")).toEqual({ kind: "not", check: { kind: "not", check: role("a") } });
  });

  it("lets parentheses override precedence, including ones glued to the checks", () => {
    expect(shape("(role:a or role:b) and role:c")).toEqual({
      kind: "and",
      checks: [{ kind: "or", checks: [role("a"), role("b")] }, role("c")],
    });
    expect(shape("not (role:a or role:b)")).toEqual({ kind: "not", check: { kind: "or", checks: [role("a"), role("b")] } });
    expect(shape("((role:a))")).toEqual(role("a"));
  });

  it("treats keywords case-insensitively, as oslo does", () => {
    expect(shape("role:a AND NOT role:b Or role:c")).toEqual({
      kind: "or",
      checks: [{ kind: "and", checks: [role("a"), { kind: "not", check: role("b") }] }, role("c")],
    });
  });

  it("keeps the parentheses of %(key)s substitutions inside the check", () => {
    expect(shape("(role:admin and project_id:%(target.project.id)s)")).toEqual({
      kind: "and",
      checks: [role("admin"), { kind: "generic", field: "project_id", match: "%(target.project.id)s" }],
    });
  });

  it("formats a tree back with just the parentheses it needs", () => {
    expect(formatCheck(parse("(role:a and role:b) or not (role:c or role:d)"))).toBe("role:a and role:b or not (role:c or role:d)");
    expect(formatCheck(parse("(role:a or role:b) and role:c"))).toBe("(role:a or role:b) and role:c");
  });
});

describe("policy parser: check kinds", () => {
  it("parses always, never and empty", () => {
    expect(parse("@")).toEqual({ kind: "true" });
    expect(parse("!")).toEqual({ kind: "false" });
    expect(parse("")).toEqual({ kind: "true" });
    expect(parse("   ")).toEqual({ kind: "true" });
  });

  it("parses rule, role and generic checks with their positions", () => {
    expect(parse("rule:admin_required")).toEqual({ kind: "rule", name: "admin_required", text: "rule:admin_required", position: 0 });
    expect(parse("  role:reader")).toEqual({ kind: "role", match: "reader", text: "role:reader", position: 2 });
    expect(parse("user_id:%(target.user.id)s")).toMatchObject({ kind: "generic", field: "user_id", match: "%(target.user.id)s" });
    expect(parse("system_scope:all")).toMatchObject({ kind: "generic", field: "system_scope", match: "all" });
    expect(parse("role:%(target.role.name)s")).toMatchObject({ kind: "role", match: "%(target.role.name)s" });
    // Only the first colon splits: the match may hold colons.
    expect(parse("role:compute:admin")).toMatchObject({ kind: "role", match: "compute:admin" });
  });

  it("recognises literal left sides the way Python's literal_eval + str() would", () => {
    expect(parse("True:%(is_admin_project)s")).toMatchObject({ kind: "generic", literal: "True" });
    expect(parse("None:%(target.role.domain_id)s")).toMatchObject({ literal: "None" });
    expect(parse("'member':%(role.name)s")).toMatchObject({ literal: "member" });
    expect(parse('"member":%(role.name)s')).toMatchObject({ literal: "member" });
    expect(parse("1:%(count)s")).toMatchObject({ literal: "1" });
    expect(parse("2.0:%(version)s")).toMatchObject({ literal: "2.0" });
    expect(parse("is_admin:True")).not.toHaveProperty("literal");
  });
});

describe("policy parser: malformed rules", () => {
  it("names the rule and the position of an unexpected ')'", () => {
    const err = parseError("role:reader or)", "identity:list_projects");
    expect(String(err)).toBe("PolicyParseError: rule 'identity:list_projects': unexpected ')' at position 14");
    expect(err.ruleName).toBe("identity:list_projects");
    expect(err.position).toBe(14);
  });

  it("reports the position of each kind of mistake", () => {
    expect(parseError("role:a )").message).toBe("rule 'test:rule': unexpected ')' at position 7");
    expect(parseError("role:admin or").message).toBe("rule 'test:rule': unexpected end of rule, expected a check at position 13");
    expect(parseError("(role:admin").message).toBe("rule 'test:rule': unclosed '(' at position 0");
    expect(parseError("x:1 and (role:a or role:b").position).toBe(8);
    expect(parseError("role:a role:b").message).toBe("rule 'test:rule': expected 'and' or 'or' before 'role:b' at position 7");
    expect(parseError("and role:a").message).toBe("rule 'test:rule': unexpected 'and' at position 0");
    expect(parseError("role:a and or role:b").message).toBe("rule 'test:rule': unexpected 'or' at position 11");
    expect(parseError("role:a or admin").message).toBe(
      "rule 'test:rule': malformed check 'admin' (expected kind:match, '@' or '!') at position 10",
    );
    expect(parseError(":admin").position).toBe(0);
    expect(parseError("role:a or 'quoted'").message).toContain("unexpected quoted string 'quoted' at position 10");
    expect(parseError("rule:").message).toContain("'rule:' needs a rule name");
    expect(parseError("http://policy.example/check").message).toContain("unsupported check kind 'http'");
    expect(parseError("not").position).toBe(3);
  });
});
