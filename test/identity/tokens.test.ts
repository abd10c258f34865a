import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type KeystoneHandle, startKeystone } from "../helpers/keystone.js";
import { adminProject, adminUser, call, login } from "./client.js";

let ks: KeystoneHandle;
beforeAll(async () => {
  ks = await startKeystone();
});
afterAll(async () => {
  await ks?.stop();
});

describe("version discovery", () => {
  it("answers / with 300 and the v3 version, /v3 with 200", async () => {
    const root = await call(ks.url, "GET", "/");
    expect(root.status).toBe(300);
    expect(root.body.versions.values[0]).toMatchObject({ id: "v3.14", status: "stable" });
    expect(root.body.versions.values[0]["media-types"][0].type).toBe("application/vnd.openstack.identity-v3+json");
    const v3 = await call(ks.url, "GET", "/v3");
    expect(v3.status).toBe(200);
    expect(v3.body.version.links[0].href).toBe(`${ks.url}/v3/`);
  });
});

describe("POST /v3/auth/tokens", () => {
  it("issues a project-scoped token with effective roles, catalog and is_admin_project", async () => {
    const { token, res } = await login(ks.url, adminUser, ks.adminPassword, adminProject);
    expect(res.status).toBe(201);
    expect(token).toMatch(/^gAAAAA/);
    const t = res.body.token;
    expect(t.methods).toEqual(["password"]);
    expect(t.user).toMatchObject({ name: "admin", domain: { id: "default", name: "Default" }, password_expires_at: null });
    expect(t.project).toMatchObject({ name: "admin", domain: { id: "default", name: "Default" } });
    expect(t.is_domain).toBe(false);
    expect(t.is_admin_project).toBe(true);
    expect(t.roles.map((r: { name: string }) => r.name).sort()).toEqual(["admin", "member", "reader"]);
    expect(t.audit_ids).toHaveLength(1);
    expect(t.expires_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
    const identity = t.catalog.find((s: { type: string }) => s.type === "identity");
    expect(identity.name).toBe("keystone");
    expect(identity.endpoints.map((e: { interface: string }) => e.interface).sort()).toEqual(["admin", "internal", "public"]);
    expect(identity.endpoints[0].url).toBe(`${ks.url}/v3`);
  });

  it("scopes by project id, to the system, to a domain, or not at all", async () => {
    const first = await login(ks.url, adminUser, ks.adminPassword, adminProject);
    const projectId = first.res.body.token.project.id;
    const byId = await login(ks.url, { id: first.res.body.token.user.id }, ks.adminPassword, { project: { id: projectId } });
    expect(byId.res.status).toBe(201);
    expect(byId.res.body.token.project.id).toBe(projectId);

    const sys = await login(ks.url, adminUser, ks.adminPassword, { system: { all: true } });
    expect(sys.res.status).toBe(201);
    expect(sys.res.body.token.system).toEqual({ all: true });
    expect(sys.res.body.token.project).toBeUndefined();
    expect(sys.res.body.token.roles.map((r: { name: string }) => r.name)).toContain("admin");

    // admin has no role on the Default domain until granted one
    const noDomain = await login(ks.url, adminUser, ks.adminPassword, { domain: { id: "default" } });
    expect(noDomain.res.status).toBe(401);
    const roles = await call(ks.url, "GET", "/v3/roles?name=admin", { token: sys.token });
    const adminRole = roles.body.roles[0].id;
    const userId = sys.res.body.token.user.id;
    expect((await call(ks.url, "PUT", `/v3/domains/default/users/${userId}/roles/${adminRole}`, { token: sys.token })).status).toBe(204);
    const dom = await login(ks.url, adminUser, ks.adminPassword, { domain: { name: "Default" } });
    expect(dom.res.status).toBe(201);
    expect(dom.res.body.token.domain).toEqual({ id: "default", name: "Default" });
    expect(dom.res.body.token.is_domain).toBeUndefined();

    const unscoped = await login(ks.url, adminUser, ks.adminPassword);
    expect(unscoped.res.status).toBe(201);
    expect(unscoped.res.body.token.roles).toBeUndefined();
    expect(unscoped.res.body.token.catalog).toBeUndefined();
    expect(unscoped.res.body.token.project).toBeUndefined();
  });

  it("leaves the catalog out with ?nocatalog", async () => {
    const res = await call(ks.url, "POST", "/v3/auth/tokens?nocatalog", {
      body: {
        auth: {
          identity: { methods: ["password"], password: { user: { ...adminUser, password: ks.adminPassword } } },
          scope: adminProject,
        },
      },
    });
    expect(res.status).toBe(201);
    expect(res.body.token.catalog).toBeUndefined();
    expect(res.body.token.roles.length).toBeGreaterThan(0);
  });

  it("rescopes with the token method, keeping expiry and chaining audit ids", async () => {
    const unscoped = await login(ks.url, adminUser, ks.adminPassword);
    const res = await call(ks.url, "POST", "/v3/auth/tokens", {
      body: { auth: { identity: { methods: ["token"], token: { id: unscoped.token } }, scope: adminProject } },
    });
    expect(res.status).toBe(201);
    const t = res.body.token;
    expect(t.methods).toContain("token");
    expect(t.methods).toContain("password");
    expect(t.expires_at).toBe(unscoped.res.body.token.expires_at);
    expect(t.audit_ids).toHaveLength(2);
    expect(t.audit_ids[1]).toBe(unscoped.res.body.token.audit_ids[0]);
    expect(t.project.name).toBe("admin");
  });
});

describe("validate, check and revoke", () => {
  it("GET validates a subject token; HEAD checks it; 404 for garbage", async () => {
    const admin = await login(ks.url, adminUser, ks.adminPassword, adminProject);
    const subject = await login(ks.url, adminUser, ks.adminPassword, { system: { all: true } });
    const got = await call(ks.url, "GET", "/v3/auth/tokens", { token: admin.token, headers: { "x-subject-token": subject.token } });
    expect(got.status).toBe(200);
    expect(got.headers.get("x-subject-token")).toBe(subject.token);
    expect(got.body.token.system).toEqual({ all: true });
    expect(got.body.token.audit_ids).toEqual(subject.res.body.token.audit_ids);

    const head = await call(ks.url, "HEAD", "/v3/auth/tokens", { token: admin.token, headers: { "x-subject-token": subject.token } });
    expect(head.status).toBe(200);

    const bad = await call(ks.url, "GET", "/v3/auth/tokens", { token: admin.token, headers: { "x-subject-token": "gAAAAABnot-a-token" } });
    expect(bad.status).toBe(404);
    expect(bad.body.error).toEqual({ code: 404, message: "Could not find token: gAAAAABnot-a-token.", title: "Not Found" });
  });

  it("DELETE revokes: the token stops validating and stops authorizing", async () => {
    const admin = await login(ks.url, adminUser, ks.adminPassword, adminProject);
    const victim = await login(ks.url, adminUser, ks.adminPassword, adminProject);
    expect((await call(ks.url, "GET", "/v3/projects", { token: victim.token })).status).toBe(200);
    const del = await call(ks.url, "DELETE", "/v3/auth/tokens", { token: admin.token, headers: { "x-subject-token": victim.token } });
    expect(del.status).toBe(204);
    const after = await call(ks.url, "GET", "/v3/auth/tokens", { token: admin.token, headers: { "x-subject-token": victim.token } });
    expect(after.status).toBe(404);
    const use = await call(ks.url, "GET", "/v3/projects", { token: victim.token });
    expect(use.status).toBe(401);
    // the admin token, minted in the same second, is untouched
    expect((await call(ks.url, "GET", "/v3/projects", { token: admin.token })).status).toBe(200);
  });

  it("keeps revocations and validates old tokens across a restart", async () => {
    const kept = await login(ks.url, adminUser, ks.adminPassword, adminProject);
    const revoked = await login(ks.url, adminUser, ks.adminPassword, adminProject);
    await call(ks.url, "DELETE", "/v3/auth/tokens", { token: kept.token, headers: { "x-subject-token": revoked.token } });
    await ks.restart();
    expect((await call(ks.url, "GET", "/v3/auth/tokens", { token: kept.token, headers: { "x-subject-token": kept.token } })).status).toBe(
      200,
    );
    expect(
      (await call(ks.url, "GET", "/v3/auth/tokens", { token: kept.token, headers: { "x-subject-token": revoked.token } })).status,
    ).toBe(404);
  });
});

describe("auth helpers", () => {
  it("lists the caller's projects, domains, system and catalog", async () => {
    const t = await login(ks.url, adminUser, ks.adminPassword, adminProject);
    const projects = await call(ks.url, "GET", "/v3/auth/projects", { token: t.token });
    expect(projects.status).toBe(200);
    expect(projects.body.projects.map((p: { name: string }) => p.name)).toContain("admin");
    const system = await call(ks.url, "GET", "/v3/auth/system", { token: t.token });
    expect(system.body.system).toEqual([{ all: true }]);
    const catalog = await call(ks.url, "GET", "/v3/auth/catalog", { token: t.token });
    expect(catalog.body.catalog[0].type).toBe("identity");
  });
});
