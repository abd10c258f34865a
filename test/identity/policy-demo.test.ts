import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type KeystoneHandle, startKeystone } from "../helpers/keystone.js";
import { adminProject, adminUser, call, login } from "./client.js";

// The seed's walk-through: a user `demo` with `reader` on project `demo` may not list all projects
// (identity:list_projects) but may list their own (identity:list_user_projects), which is the
// openstack client's fallback.
let ks: KeystoneHandle;
let admin: string;
let demoUser: string;
let demoProject: string;
let demo: string;

beforeAll(async () => {
  ks = await startKeystone();
  admin = (await login(ks.url, adminUser, ks.adminPassword, adminProject)).token;
  demoProject = (await call(ks.url, "POST", "/v3/projects", { token: admin, body: { project: { name: "demo", domain_id: "default" } } }))
    .body.project.id;
  demoUser = (
    await call(ks.url, "POST", "/v3/users", { token: admin, body: { user: { name: "demo", password: "demo-pw", domain_id: "default" } } })
  ).body.user.id;
  const reader = (await call(ks.url, "GET", "/v3/roles?name=reader", { token: admin })).body.roles[0].id;
  expect((await call(ks.url, "PUT", `/v3/projects/${demoProject}/users/${demoUser}/roles/${reader}`, { token: admin })).status).toBe(204);
  const t = await login(ks.url, { name: "demo", domain: { id: "default" } }, "demo-pw", {
    project: { name: "demo", domain: { id: "default" } },
  });
  expect(t.res.status).toBe(201);
  expect(t.res.body.token.roles.map((r: { name: string }) => r.name)).toEqual(["reader"]);
  demo = t.token;
});
afterAll(async () => {
  await ks?.stop();
});

describe("reader on project demo", () => {
  it("gets 403 on GET /v3/projects with Keystone's message", async () => {
    const res = await call(ks.url, "GET", "/v3/projects", { token: demo });
    expect(res.status).toBe(403);
    expect(res.body).toEqual({
      error: { code: 403, message: "You are not authorized to perform the requested action: identity:list_projects.", title: "Forbidden" },
    });
  });

  it("gets 200 on GET /v3/users/{own id}/projects, listing only demo", async () => {
    const res = await call(ks.url, "GET", `/v3/users/${demoUser}/projects`, { token: demo });
    expect(res.status).toBe(200);
    expect(res.body.projects.map((p: { name: string }) => p.name)).toEqual(["demo"]);
  });

  it("gets 403 on another user's projects, and on writes", async () => {
    const adminId = (await call(ks.url, "GET", "/v3/users?name=admin", { token: admin })).body.users[0].id;
    expect((await call(ks.url, "GET", `/v3/users/${adminId}/projects`, { token: demo })).status).toBe(403);
    expect((await call(ks.url, "POST", "/v3/projects", { token: demo, body: { project: { name: "x" } } })).status).toBe(403);
    expect((await call(ks.url, "GET", "/v3/users", { token: demo })).status).toBe(403);
  });

  it("may read itself and validate its own token, not others'", async () => {
    expect((await call(ks.url, "GET", `/v3/users/${demoUser}`, { token: demo })).status).toBe(200);
    expect((await call(ks.url, "GET", "/v3/auth/tokens", { token: demo, headers: { "x-subject-token": demo } })).status).toBe(200);
    expect((await call(ks.url, "GET", "/v3/auth/tokens", { token: demo, headers: { "x-subject-token": admin } })).status).toBe(403);
  });

  it("the admin can do all of it", async () => {
    expect((await call(ks.url, "GET", "/v3/projects", { token: admin })).status).toBe(200);
    expect((await call(ks.url, "GET", `/v3/users/${demoUser}/projects`, { token: admin })).status).toBe(200);
  });
});
