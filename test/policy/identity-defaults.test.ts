import { describe, expect, it } from "vitest";
import type { RequestContext } from "../../src/engine/common/context.js";
import { Enforcer, IDENTITY_POLICY_DEFAULTS, PolicyNotAuthorized } from "../../src/engine/common/policy/index.js";

const enforcer = new Enforcer(IDENTITY_POLICY_DEFAULTS);

// Credentials as keystonecontext builds them from a token (effective roles, implied ones included).
const demoReader: RequestContext = {
  user_id: "u-demo",
  user_domain_id: "default",
  project_id: "p-demo",
  project_domain_id: "default",
  roles: ["reader"],
};
const demoMember: RequestContext = { ...demoReader, roles: ["member", "reader"] };
const projectAdmin: RequestContext = {
  user_id: "u-admin",
  user_domain_id: "default",
  project_id: "p-admin",
  project_domain_id: "default",
  roles: ["admin", "member", "reader"],
  is_admin_project: true,
};
const systemReader: RequestContext = { user_id: "u-auditor", system_scope: "all", roles: ["reader"] };
const domainReader: RequestContext = { user_id: "u-dr", domain_id: "d1", roles: ["reader"] };

/** The flattened target keystone builds for GET /v3/users/{user_id}/projects. */
const userProjectsTarget = (userId: string) => ({ user_id: userId, "target.user.id": userId, "target.user.domain_id": "default" });

describe("Keystone (Zed) identity defaults", () => {
  it("register every base rule and the identity:* set, all loading cleanly", () => {
    const names = enforcer.listRules().map((r) => r.name);
    for (const base of ["admin_required", "service_role", "service_or_admin", "owner", "admin_or_owner", "token_subject"]) {
      expect(names).toContain(base);
    }
    for (const action of [
      "identity:list_projects",
      "identity:get_project",
      "identity:list_user_projects",
      "identity:get_user",
      "identity:create_user",
      "identity:list_domains",
      "identity:create_group",
      "identity:create_role",
      "identity:create_implied_role",
      "identity:list_role_assignments",
      "identity:create_grant",
      "identity:create_service",
      "identity:create_endpoint",
      "identity:create_region",
      "identity:create_credential",
      "identity:create_application_credential",
      "identity:validate_token",
      "identity:create_system_grant_for_user",
      "identity:create_domain_role",
    ]) {
      expect(names).toContain(action);
    }
    expect(names.filter((n) => n.startsWith("identity:")).length).toBe(192);
  });

  it("show the effective Zed rule: the new default OR the deprecated one", () => {
    const row = enforcer.listRules().find((r) => r.name === "identity:list_projects");
    expect(row).toMatchObject({
      origin: "default+deprecated",
      checkStr: "((role:reader and system_scope:all) or (role:reader and domain_id:%(target.domain_id)s)) or (rule:admin_required)",
      scopeTypes: ["system", "domain"],
      operations: [{ method: "GET", path: "/v3/projects" }],
    });
  });

  describe("the seed's scenario: a reader on project demo", () => {
    it("cannot list all projects", () => {
      expect(enforcer.enforce("identity:list_projects", {}, demoReader)).toBe(false);
      expect(() => enforcer.authorize("identity:list_projects", {}, demoReader)).toThrow(
        new PolicyNotAuthorized("identity:list_projects").message,
      );
      expect(() => enforcer.authorize("identity:list_projects", {}, demoReader)).toThrow(
        "Policy doesn't allow identity:list_projects to be performed.",
      );
    });

    it("can list its own projects, but not another user's", () => {
      expect(enforcer.enforce("identity:list_user_projects", userProjectsTarget("u-demo"), demoReader)).toBe(true);
      expect(enforcer.enforce("identity:list_user_projects", userProjectsTarget("u-other"), demoReader)).toBe(false);
      // The same with a nested target.
      const nested = { user_id: "u-demo", target: { user: { id: "u-demo", domain_id: "default" } } };
      expect(enforcer.enforce("identity:list_user_projects", nested, demoReader)).toBe(true);
    });

    it("can see its own project and user, not others", () => {
      const project = (id: string) => ({ "target.project.id": id, "target.project.domain_id": "default" });
      expect(enforcer.enforce("identity:get_project", project("p-demo"), demoReader)).toBe(true);
      expect(enforcer.enforce("identity:get_project", project("p-admin"), demoReader)).toBe(false);
      const user = (id: string) => ({ user_id: id, "target.user.id": id, "target.user.domain_id": "default" });
      expect(enforcer.enforce("identity:get_user", user("u-demo"), demoReader)).toBe(true);
      expect(enforcer.enforce("identity:get_user", user("u-admin"), demoReader)).toBe(false);
    });

    it("cannot create or delete users, even as a member", () => {
      const target = { "target.user.domain_id": "default" };
      expect(enforcer.enforce("identity:create_user", target, demoMember)).toBe(false);
      expect(enforcer.enforce("identity:delete_user", target, demoMember)).toBe(false);
      expect(enforcer.enforce("identity:list_users", {}, demoMember)).toBe(false);
    });

    it("explains the denial of list_projects sub-check by sub-check", () => {
      const decision = enforcer.explain("identity:list_projects", {}, demoReader);
      expect(decision.allowed).toBe(false);
      expect(decision.failed).toContain('role:admin (creds.roles [reader] lack "admin")');
      expect(decision.failed).toContain('system_scope:all (creds.system_scope (absent) vs "all")');
    });
  });

  describe("an admin on the admin project (enforce_scope off, as in Zed)", () => {
    const actions = [
      "identity:list_projects",
      "identity:get_project",
      "identity:create_project",
      "identity:update_project",
      "identity:delete_project",
      "identity:list_users",
      "identity:get_user",
      "identity:create_user",
      "identity:update_user",
      "identity:delete_user",
      "identity:list_user_projects",
      "identity:list_domains",
      "identity:create_domain",
      "identity:list_groups",
      "identity:create_group",
      "identity:add_user_to_group",
      "identity:list_roles",
      "identity:create_role",
      "identity:create_implied_role",
      "identity:list_role_assignments",
      "identity:create_grant",
      "identity:revoke_grant",
      "identity:list_services",
      "identity:create_service",
      "identity:create_endpoint",
      "identity:create_region",
      "identity:list_credentials",
      "identity:create_credential",
      "identity:create_domain_role",
      "identity:list_system_grants_for_user",
      "identity:create_system_grant_for_user",
      "identity:validate_token",
      "identity:revoke_token",
    ];

    it.each(actions)("is allowed %s", (action) => {
      expect(enforcer.enforce(action, {}, projectAdmin)).toBe(true);
    });

    it("passes every rule that has a deprecated rule:admin_required fallback", () => {
      const fallbacks = IDENTITY_POLICY_DEFAULTS.filter((r) => r.deprecatedRule?.checkStr === "rule:admin_required");
      expect(fallbacks.length).toBeGreaterThan(100);
      expect(fallbacks.filter((r) => !enforcer.enforce(r.name, {}, projectAdmin)).map((r) => r.name)).toEqual([]);
    });

    it("is refused the system-only limit APIs Zed gave no fallback", () => {
      expect(enforcer.enforce("identity:create_limits", {}, projectAdmin)).toBe(false);
      expect(enforcer.enforce("identity:create_registered_limits", {}, projectAdmin)).toBe(false);
    });

    it("loses the fallbacks when new defaults are enforced", () => {
      const strict = new Enforcer(IDENTITY_POLICY_DEFAULTS, { enforceNewDefaults: true });
      expect(strict.enforce("identity:list_projects", {}, projectAdmin)).toBe(false);
      expect(strict.enforce("identity:list_projects", {}, { ...projectAdmin, system_scope: "all" })).toBe(true);
    });
  });

  describe("system and domain personas", () => {
    it("a system reader may read everything but change nothing", () => {
      expect(enforcer.enforce("identity:list_projects", {}, systemReader)).toBe(true);
      expect(enforcer.enforce("identity:list_users", {}, systemReader)).toBe(true);
      expect(enforcer.enforce("identity:get_region", {}, systemReader)).toBe(true);
      expect(enforcer.enforce("identity:create_project", {}, systemReader)).toBe(false);
      expect(enforcer.enforce("identity:create_service", {}, systemReader)).toBe(false);
    });

    it("a domain reader may list the projects of its own domain only", () => {
      expect(enforcer.enforce("identity:list_projects", { "target.domain_id": "d1" }, domainReader)).toBe(true);
      expect(enforcer.enforce("identity:list_projects", { "target.domain_id": "d2" }, domainReader)).toBe(false);
      expect(enforcer.enforce("identity:list_projects", {}, domainReader)).toBe(false);
    });

    it("anyone authenticated may read their catalog and regions", () => {
      expect(enforcer.enforce("identity:get_auth_catalog", {}, demoReader)).toBe(true);
      expect(enforcer.enforce("identity:list_regions", {}, demoReader)).toBe(true);
    });

    it("a user may validate their own token, not someone else's", () => {
      expect(enforcer.enforce("identity:validate_token", { "target.token.user_id": "u-demo" }, demoReader)).toBe(true);
      expect(enforcer.enforce("identity:validate_token", { "target.token.user_id": "u-admin" }, demoReader)).toBe(false);
      expect(enforcer.enforce("identity:validate_token", { "target.token.user_id": "u-x" }, { roles: ["service"] })).toBe(true);
    });
  });
});
