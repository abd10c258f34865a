import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type KeystoneHandle, startKeystone } from "../helpers/keystone.js";
import { adminProject, adminUser, call, login } from "./client.js";

let ks: KeystoneHandle;
let admin: string;
let member: string;

beforeAll(async () => {
  ks = await startKeystone();
  admin = (await login(ks.url, adminUser, ks.adminPassword, adminProject)).token;
  member = (await call(ks.url, "GET", "/v3/roles?name=member", { token: admin })).body.roles[0].id;
});
afterAll(async () => {
  await ks?.stop();
});

/** A fresh user with member on a fresh project, and a token for it. */
async function fixture(name: string) {
  const project = (await call(ks.url, "POST", "/v3/projects", { token: admin, body: { project: { name, domain_id: "default" } } })).body
    .project.id;
  const user = (await call(ks.url, "POST", "/v3/users", { token: admin, body: { user: { name, password: "pw-1", domain_id: "default" } } }))
    .body.user.id;
  await call(ks.url, "PUT", `/v3/projects/${project}/users/${user}/roles/${member}`, { token: admin });
  const t = await login(ks.url, { id: user }, "pw-1", { project: { id: project } });
  expect(t.res.status).toBe(201);
  return { project, user, token: t.token };
}
const valid = async (token: string) =>
  (await call(ks.url, "GET", "/v3/auth/tokens", { token: admin, headers: { "x-subject-token": token } })).status;

describe("tokens are revoked when what they stand for changes", () => {
  it("self-service password change revokes; the new password works at once, the old one no longer", async () => {
    const f = await fixture("pw-change");
    const bad = await call(ks.url, "POST", `/v3/users/${f.user}/password`, {
      body: { user: { original_password: "wrong", password: "pw-2" } },
    });
    expect(bad.status).toBe(401);
    expect(await valid(f.token)).toBe(200);
    const ok = await call(ks.url, "POST", `/v3/users/${f.user}/password`, {
      body: { user: { original_password: "pw-1", password: "pw-2" } },
    });
    expect(ok.status).toBe(204);
    expect(await valid(f.token)).toBe(404);
    const fresh = await login(ks.url, { id: f.user }, "pw-2", { project: { id: f.project } });
    expect(fresh.res.status).toBe(201);
    expect(await valid(fresh.token)).toBe(200);
    expect((await login(ks.url, { id: f.user }, "pw-1")).res.status).toBe(401);
  });

  it("disabling the user revokes and blocks login", async () => {
    const f = await fixture("disable-user");
    expect((await call(ks.url, "PATCH", `/v3/users/${f.user}`, { token: admin, body: { user: { enabled: false } } })).status).toBe(200);
    expect(await valid(f.token)).toBe(404);
    expect((await login(ks.url, { id: f.user }, "pw-1")).res.status).toBe(401);
    // re-enabling does not bring the old token back
    await call(ks.url, "PATCH", `/v3/users/${f.user}`, { token: admin, body: { user: { enabled: true } } });
    expect(await valid(f.token)).toBe(404);
  });

  it("removing the role assignment revokes the project token", async () => {
    const f = await fixture("unassign");
    const del = await call(ks.url, "DELETE", `/v3/projects/${f.project}/users/${f.user}/roles/${member}`, { token: admin });
    expect(del.status).toBe(204);
    expect(await valid(f.token)).toBe(404);
    expect((await login(ks.url, { id: f.user }, "pw-1", { project: { id: f.project } })).res.status).toBe(401);
  });

  it("disabling the project revokes its tokens", async () => {
    const f = await fixture("disable-project");
    expect((await call(ks.url, "PATCH", `/v3/projects/${f.project}`, { token: admin, body: { project: { enabled: false } } })).status).toBe(
      200,
    );
    expect(await valid(f.token)).toBe(404);
    await call(ks.url, "PATCH", `/v3/projects/${f.project}`, { token: admin, body: { project: { enabled: true } } });
    expect(await valid(f.token)).toBe(404);
  });

  it("a password set by an admin (PATCH) revokes too", async () => {
    const f = await fixture("admin-pw");
    await call(ks.url, "PATCH", `/v3/users/${f.user}`, { token: admin, body: { user: { password: "pw-3" } } });
    expect(await valid(f.token)).toBe(404);
    expect((await login(ks.url, { id: f.user }, "pw-3")).res.status).toBe(201);
  });
});
