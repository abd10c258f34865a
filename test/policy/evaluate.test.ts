import { describe, expect, it } from "vitest";
import type { RequestContext } from "../../src/engine/common/context.js";
import { Enforcer } from "../../src/engine/common/policy/index.js";

/** Evaluates one ad-hoc check string against the given target and credentials. */
const allows = (checkStr: string, target: object, creds: object, rules: Record<string, string> = {}) =>
  new Enforcer([], { rules }).check(checkStr, target, creds);

const reader: RequestContext = { user_id: "u1", project_id: "p1", roles: ["reader"] };

describe("policy evaluation: role checks", () => {
  it("matches roles case-insensitively", () => {
    expect(allows("role:Reader", {}, reader)).toBe(true);
    expect(allows("role:admin", {}, reader)).toBe(false);
    expect(allows("role:reader", {}, { roles: ["READER"] })).toBe(true);
  });

  it("substitutes the role name from the target, failing closed when the key is missing", () => {
    expect(allows("role:%(target.role.name)s", { target: { role: { name: "reader" } } }, reader)).toBe(true);
    expect(allows("role:%(target.role.name)s", { "target.role.name": "admin" }, reader)).toBe(false);
    expect(allows("role:%(missing)s", {}, reader)).toBe(false);
  });

  it("is false for credentials without roles", () => {
    expect(allows("role:reader", {}, { user_id: "u1" })).toBe(false);
  });
});

describe("policy evaluation: generic checks", () => {
  it("compares a credential with a target value, flat (keystone-style) or nested", () => {
    expect(allows("user_id:%(target.user.id)s", { "target.user.id": "u1" }, reader)).toBe(true);
    expect(allows("user_id:%(target.user.id)s", { target: { user: { id: "u1" } } }, reader)).toBe(true);
    expect(allows("user_id:%(target.user.id)s", { target: { user: { id: "u2" } } }, reader)).toBe(false);
    expect(allows("project_id:%(project_id)s", { project_id: "p1" }, reader)).toBe(true);
  });

  it("fails closed when the target lacks the substituted key — and 'not' then passes, as in oslo", () => {
    expect(allows("project_id:%(target.project.id)s", {}, reader)).toBe(false);
    expect(allows("not project_id:%(target.project.id)s", {}, reader)).toBe(true);
  });

  it("compares against constants and dotted credential paths, fanning out over lists", () => {
    expect(allows("system_scope:all", {}, { ...reader, system_scope: "all" })).toBe(true);
    expect(allows("system_scope:all", {}, reader)).toBe(false);
    const creds = { token: { project: { domain: { id: "d1" } } }, groups: [{ id: "g1" }, { id: "g2" }] };
    expect(allows("token.project.domain.id:%(target.domain.id)s", { "target.domain.id": "d1" }, creds)).toBe(true);
    expect(allows("token.project.domain.id:d2", {}, creds)).toBe(false);
    expect(allows("groups.id:g2", {}, creds)).toBe(true);
    expect(allows("groups.id:g3", {}, creds)).toBe(false);
  });

  it("compares values as Python's str() renders them", () => {
    expect(allows("is_admin:True", {}, { roles: [], is_admin: true })).toBe(true);
    expect(allows("is_admin:True", {}, { roles: [], is_admin: false })).toBe(false);
    // str(True) is "True", so keystone's `is_admin:1` never matches a boolean.
    expect(allows("is_admin:1", {}, { roles: [], is_admin: true })).toBe(false);
    expect(allows("count:5", {}, { count: 5 })).toBe(true);
  });

  it("compares a literal left side with the substituted target value", () => {
    expect(allows("True:%(is_admin_project)s", { is_admin_project: true }, reader)).toBe(true);
    expect(allows("True:%(is_admin_project)s", { is_admin_project: false }, reader)).toBe(false);
    expect(allows("'member':%(role.name)s", { role: { name: "member" } }, reader)).toBe(true);
    expect(allows("None:%(target.role.domain_id)s", { "target.role.domain_id": null }, reader)).toBe(true);
    expect(allows("None:%(target.role.domain_id)s", { "target.role.domain_id": "d1" }, reader)).toBe(false);
  });

  it("never matches an absent credential, even against a null target value", () => {
    expect(allows("domain_id:%(target.domain_id)s", { "target.domain_id": null }, { ...reader, domain_id: null })).toBe(false);
    expect(allows("domain_id:%(target.domain_id)s", { "target.domain_id": "None" }, reader)).toBe(false);
  });
});

describe("policy evaluation: combinators and rule references", () => {
  it("evaluates @, !, empty, and/or/not", () => {
    expect(allows("@", {}, reader)).toBe(true);
    expect(allows("!", {}, reader)).toBe(false);
    expect(allows("", {}, { roles: [] })).toBe(true);
    expect(allows("role:reader and project_id:p1", {}, reader)).toBe(true);
    expect(allows("role:reader and project_id:p2", {}, reader)).toBe(false);
    expect(allows("role:admin or project_id:p1", {}, reader)).toBe(true);
    expect(allows("not role:admin", {}, reader)).toBe(true);
    // not > and > or: "! or @ and !" is "! or (@ and !)".
    expect(allows("! or @ and !", {}, reader)).toBe(false);
    expect(allows("(! or @) and @", {}, reader)).toBe(true);
  });

  it("follows rule: references through the loaded rules", () => {
    const rules = { admin_required: "role:admin", owner: "user_id:%(user_id)s", admin_or_owner: "rule:admin_required or rule:owner" };
    expect(allows("rule:admin_or_owner", { user_id: "u1" }, reader, rules)).toBe(true);
    expect(allows("rule:admin_or_owner", { user_id: "u2" }, reader, rules)).toBe(false);
    expect(allows("rule:admin_or_owner", { user_id: "u2" }, { ...reader, roles: ["admin"] }, rules)).toBe(true);
  });

  it("explains which sub-check failed", () => {
    const enforcer = new Enforcer([], { rules: { admin_required: "role:admin or is_admin:True" } });
    const node = enforcer.explainCheck("rule:admin_required or user_id:%(target.user.id)s", { "target.user.id": "u2" }, reader);
    expect(node.result).toBe(false);
    const [viaRule, owner] = node.children ?? [];
    expect(viaRule).toMatchObject({ check: "rule:admin_required", result: false, detail: "role:admin or is_admin:True" });
    expect(viaRule.children?.[0].children?.[0]).toMatchObject({ check: "role:admin", detail: 'creds.roles [reader] lack "admin"' });
    expect(owner).toMatchObject({ check: "user_id:%(target.user.id)s", detail: 'creds.user_id "u1" vs "u2"', result: false });
  });

  it("marks checks that short-circuiting never reached", () => {
    const node = new Enforcer([]).explainCheck("role:reader or role:admin", {}, reader);
    expect(node.result).toBe(true);
    expect(node.children?.map((c) => [c.check, c.evaluated])).toEqual([
      ["role:reader", true],
      ["role:admin", false],
    ]);
  });
});
