import { mkdtempSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import {
  Enforcer,
  PolicyFileError,
  PolicyInvalidScope,
  PolicyNotAuthorized,
  PolicyNotRegistered,
  PolicyParseError,
  policySpanAttributes,
  type RuleDefault,
} from "../../src/engine/common/policy/index.js";

const dir = mkdtempSync(join(tmpdir(), "pocketstack-policy-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let files = 0;
const writePolicy = (ext: string, text: string) => {
  const path = join(dir, `policy-${++files}.${ext}`);
  writeFileSync(path, text);
  return path;
};

const DEFAULTS: RuleDefault[] = [
  { name: "admin_required", checkStr: "role:admin" },
  { name: "owner", checkStr: "user_id:%(user_id)s" },
  {
    name: "compute:list_things",
    checkStr: "role:reader and system_scope:all",
    scopeTypes: ["system"],
    description: "List things.",
    operations: [{ method: "GET", path: "/things" }],
    deprecatedRule: { checkStr: "rule:admin_required", since: "Stein" },
  },
  { name: "compute:get_thing", checkStr: "rule:admin_required or rule:owner", scopeTypes: ["project"] },
];

const member = { user_id: "u1", project_id: "p1", roles: ["member", "reader"] };
const projectAdmin = { user_id: "u0", project_id: "p0", roles: ["admin", "member", "reader"] };
const systemReader = { user_id: "u9", system_scope: "all", roles: ["reader"] };

describe("Enforcer: enforce and authorize", () => {
  const enforcer = new Enforcer(DEFAULTS);

  it("answers enforce with a boolean", () => {
    expect(enforcer.enforce("compute:get_thing", { user_id: "u1" }, member)).toBe(true);
    expect(enforcer.enforce("compute:get_thing", { user_id: "u2" }, member)).toBe(false);
  });

  it("throws PolicyNotAuthorized, a 403 naming the action, when authorize is denied", () => {
    expect(enforcer.authorize("compute:get_thing", { user_id: "u1" }, member)).toBe(true);
    let caught: unknown;
    try {
      enforcer.authorize("compute:get_thing", { user_id: "u2" }, member);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(PolicyNotAuthorized);
    expect((caught as PolicyNotAuthorized).message).toBe("Policy doesn't allow compute:get_thing to be performed.");
    expect((caught as PolicyNotAuthorized).status).toBe(403);
    expect((caught as PolicyNotAuthorized).action).toBe("compute:get_thing");
  });

  it("refuses an unknown action with PolicyNotRegistered instead of silently denying", () => {
    expect(() => enforcer.enforce("compute:typo", {}, member)).toThrow(PolicyNotRegistered);
    expect(() => enforcer.authorize("compute:typo", {}, member)).toThrow("Policy compute:typo has not been registered");
  });

  it("rejects registering the same default twice, and unknown scope types", () => {
    expect(() => new Enforcer([DEFAULTS[0], DEFAULTS[0]])).toThrow("Policy admin_required is already registered");
    expect(() => new Enforcer([{ name: "x", checkStr: "@", scopeTypes: ["tenant"] }])).toThrow("unknown scope type 'tenant'");
  });

  it("reads system_scope as oslo's `system` credential too", () => {
    const e = new Enforcer([{ name: "sys", checkStr: "system:all" }]);
    expect(e.enforce("sys", {}, systemReader)).toBe(true);
    expect(e.enforce("sys", {}, member)).toBe(false);
  });
});

describe("Enforcer: deprecated defaults and scope", () => {
  it("ORs a deprecated default in unless new defaults are enforced (Zed behaviour)", () => {
    const zed = new Enforcer(DEFAULTS);
    expect(zed.enforce("compute:list_things", {}, projectAdmin)).toBe(true);
    expect(zed.enforce("compute:list_things", {}, systemReader)).toBe(true);
    expect(zed.enforce("compute:list_things", {}, member)).toBe(false);
    const strict = new Enforcer(DEFAULTS, { enforceNewDefaults: true });
    expect(strict.enforce("compute:list_things", {}, projectAdmin)).toBe(false);
    expect(strict.enforce("compute:list_things", {}, systemReader)).toBe(true);
  });

  it("denies a token of the wrong scope when scope is enforced", () => {
    const e = new Enforcer(DEFAULTS, { enforceScope: true });
    expect(e.enforce("compute:list_things", {}, projectAdmin)).toBe(false);
    expect(() => e.authorize("compute:list_things", {}, projectAdmin)).toThrow(PolicyInvalidScope);
    expect(() => e.authorize("compute:list_things", {}, projectAdmin)).toThrow(
      "compute:list_things requires a scope of [system], request was made with project scope.",
    );
    expect(e.enforce("compute:list_things", {}, systemReader)).toBe(true);
    expect(e.explain("compute:list_things", {}, projectAdmin)).toMatchObject({
      allowed: false,
      scopeAllowed: false,
      tokenScope: "project",
    });
  });
});

describe("Enforcer: policy files", () => {
  it("loads YAML overrides, replacing defaults (and their deprecated fallback) and adding rules", () => {
    const path = writePolicy(
      "yaml",
      ['"compute:list_things": "rule:project_reader"', "project_reader: role:reader and project_id:%(project_id)s", "custom: ''"].join(
        "\n",
      ),
    );
    const e = new Enforcer(DEFAULTS, { policyFile: path });
    expect(e.enforce("compute:list_things", { project_id: "p1" }, member)).toBe(true);
    expect(e.enforce("compute:list_things", { project_id: "p0" }, projectAdmin)).toBe(true);
    expect(e.enforce("compute:list_things", { project_id: "p1" }, projectAdmin)).toBe(false);
    // An empty check string means "always"; a rule only the file defines can be enforced but not authorized.
    expect(e.enforce("custom", {}, { roles: [] })).toBe(true);
    expect(() => e.authorize("custom", {}, { roles: [] })).toThrow(PolicyNotRegistered);
    const row = e.listRules().find((r) => r.name === "compute:list_things");
    expect(row).toMatchObject({ origin: "file", checkStr: "rule:project_reader", defaultCheckStr: "role:reader and system_scope:all" });
    expect(e.listRules().find((r) => r.name === "project_reader")).toMatchObject({ origin: "file", registered: false });
  });

  it("loads JSON overrides", () => {
    const path = writePolicy("json", JSON.stringify({ admin_required: "role:admin or role:superuser" }));
    const e = new Enforcer(DEFAULTS, { policyFile: path });
    expect(e.enforce("compute:get_thing", { user_id: "x" }, { roles: ["superuser"] })).toBe(true);
  });

  it("names the rule, position and file of a malformed override", () => {
    const path = writePolicy("yaml", 'admin_required: "role:admin or)"\n');
    expect(() => new Enforcer(DEFAULTS, { policyFile: path })).toThrow(`rule 'admin_required': unexpected ')' at position 13 (in ${path})`);
  });

  it("rejects files that are not a mapping of strings, or are missing", () => {
    expect(() => new Enforcer(DEFAULTS, { policyFile: writePolicy("yaml", "- role:admin\n") })).toThrow(PolicyFileError);
    expect(() => new Enforcer(DEFAULTS, { policyFile: writePolicy("yaml", 'x: [["role:admin"]]\n') })).toThrow(
      "the legacy list-of-lists form is not supported",
    );
    expect(() => new Enforcer(DEFAULTS, { policyFile: writePolicy("json", '{"x": "@",}') })).toThrow("not valid JSON");
    expect(() => new Enforcer(DEFAULTS, { policyFile: writePolicy("yaml", "a: '@'\na: '!'\n") })).toThrow("not valid YAML");
    expect(() => new Enforcer(DEFAULTS, { policyFile: join(dir, "absent.yaml") })).toThrow("absent.yaml: no such file");
  });

  it("picks up an edited policy file without a restart", () => {
    const path = writePolicy("yaml", "admin_required: role:admin\n");
    const e = new Enforcer(DEFAULTS, { policyFile: path });
    expect(e.enforce("compute:get_thing", { user_id: "x" }, member)).toBe(false);
    writeFileSync(path, "admin_required: role:member\n");
    const later = new Date(Date.now() + 5000);
    utimesSync(path, later, later);
    expect(e.enforce("compute:get_thing", { user_id: "x" }, member)).toBe(true);
  });
});

describe("Enforcer: reference validation", () => {
  const loadError = (rules: Record<string, string>, defaults: RuleDefault[] = []): PolicyParseError => {
    try {
      new Enforcer(defaults, { rules });
    } catch (err) {
      expect(err).toBeInstanceOf(PolicyParseError);
      return err as PolicyParseError;
    }
    throw new Error("expected the rules to be rejected");
  };

  it("rejects a reference to an undefined rule, naming both", () => {
    const err = loadError({ "compute:get_thing": "role:admin or rule:admin_requierd" });
    expect(err.message).toBe("rule 'compute:get_thing': unknown rule 'admin_requierd' referenced at position 14");
    expect(() => new Enforcer([{ name: "a", checkStr: "rule:nope" }])).toThrow("rule 'a': unknown rule 'nope' referenced");
  });

  it("rejects reference cycles, showing the loop", () => {
    expect(loadError({ a: "rule:b", b: "role:x or rule:a" }).message).toBe("rule 'b': reference cycle a -> b -> a at position 10");
    expect(loadError({ self: "rule:self" }).message).toContain("reference cycle self -> self");
    // A cycle through an override of a default.
    expect(loadError({ owner: "rule:admin_required", admin_required: "rule:owner" }, DEFAULTS).message).toContain("reference cycle");
  });

  it("accepts a rule referenced from several places (a diamond is not a cycle)", () => {
    const e = new Enforcer([], { rules: { base: "role:x", left: "rule:base", right: "rule:base", top: "rule:left and rule:right" } });
    expect(e.enforce("top", {}, { roles: ["x"] })).toBe(true);
  });
});

describe("Enforcer: listing and explaining", () => {
  it("lists every rule with its effective check string and documentation", () => {
    const rows = new Enforcer(DEFAULTS).listRules();
    expect(rows.map((r) => r.name)).toEqual(["admin_required", "owner", "compute:list_things", "compute:get_thing"]);
    expect(rows[2]).toMatchObject({
      origin: "default+deprecated",
      checkStr: "(role:reader and system_scope:all) or (rule:admin_required)",
      deprecatedCheckStr: "rule:admin_required",
      scopeTypes: ["system"],
      operations: [{ method: "GET", path: "/things" }],
      description: "List things.",
    });
  });

  it("explains a denial by naming the failed sub-checks", () => {
    const decision = new Enforcer(DEFAULTS).explain("compute:get_thing", { user_id: "u2" }, member);
    expect(decision.allowed).toBe(false);
    expect(decision.checkStr).toBe("rule:admin_required or rule:owner");
    expect(decision.failed).toEqual([
      'role:admin (creds.roles [member, reader] lack "admin")',
      'user_id:%(user_id)s (creds.user_id "u1" vs "u2")',
    ]);
  });
});

describe("policySpanAttributes", () => {
  it("records the rule, its check string, the result and what failed", () => {
    const decision = new Enforcer(DEFAULTS).explain("compute:get_thing", { user_id: "u2" }, member);
    expect(policySpanAttributes(decision)).toEqual({
      "policy.rule": "compute:get_thing",
      "policy.check_str": "rule:admin_required or rule:owner",
      "policy.allowed": false,
      "policy.token_scope": "project",
      "policy.failed": 'role:admin (creds.roles [member, reader] lack "admin"); user_id:%(user_id)s (creds.user_id "u1" vs "u2")',
    });
    expect(policySpanAttributes(new Enforcer(DEFAULTS).explain("compute:get_thing", { user_id: "u1" }, member))).not.toHaveProperty(
      "policy.failed",
    );
  });
});
