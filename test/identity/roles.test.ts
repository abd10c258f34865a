import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type KeystoneHandle, startKeystone } from "../helpers/keystone.js";
import { adminProject, adminUser, call, login } from "./client.js";

let ks: KeystoneHandle;
let admin: string;
const ids: Record<string, string> = {};
const names = (roles: Array<{ name: string }>) => roles.map((r) => r.name).sort();

async function create(kind: string, body: Record<string, unknown>): Promise<string> {
  const res = await call(ks.url, "POST", `/v3/${kind}s`, { token: admin, body: { [kind]: body } });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body[kind].id;
}

beforeAll(async () => {
  ks = await startKeystone();
  admin = (await login(ks.url, adminUser, ks.adminPassword, adminProject)).token;
  const roles = (await call(ks.url, "GET", "/v3/roles", { token: admin })).body.roles as Array<{ id: string; name: string }>;
  for (const r of roles) ids[r.name] = r.id;
  ids.alice = await create("user", { name: "alice", password: "alice-pw", domain_id: "default" });
  ids.devs = await create("group", { name: "devs", domain_id: "default" });
  ids.parent = await create("project", { name: "parent", domain_id: "default" });
  ids.child = await create("project", { name: "child", parent_id: ids.parent });
});
afterAll(async () => {
  await ks?.stop();
});

const alice = { name: "alice", domain: { id: "default" } };

describe("roles and implied roles", () => {
  it("bootstrap made admin ⇒ member ⇒ reader", async () => {
    const inf = await call(ks.url, "GET", "/v3/role_inferences", { token: admin });
    expect(inf.status).toBe(200);
    const rules = Object.fromEntries(
      inf.body.role_inferences.map((r: { prior_role: { name: string }; implies: Array<{ name: string }> }) => [
        r.prior_role.name,
        names(r.implies),
      ]),
    );
    expect(rules).toEqual({ admin: ["member"], member: ["reader"] });
    const one = await call(ks.url, "GET", `/v3/roles/${ids.admin}/implies/${ids.member}`, { token: admin });
    expect(one.body.role_inference.implies.name).toBe("member");
    expect((await call(ks.url, "HEAD", `/v3/roles/${ids.member}/implies/${ids.admin}`, { token: admin })).status).toBe(404);
    const bad = await call(ks.url, "PUT", `/v3/roles/${ids.reader}/implies/${ids.admin}`, { token: admin });
    expect(bad.status).toBe(403);
  });

  it("a child project's parent_id is the parent; a top project's is its domain", async () => {
    const child = await call(ks.url, "GET", `/v3/projects/${ids.child}`, { token: admin });
    expect(child.body.project).toMatchObject({ parent_id: ids.parent, domain_id: "default", is_domain: false });
    const parent = await call(ks.url, "GET", `/v3/projects/${ids.parent}`, { token: admin });
    expect(parent.body.project.parent_id).toBe("default");
  });
});

describe("effective roles in tokens", () => {
  it("a role through a group shows up in the member's token, implied roles included", async () => {
    expect((await login(ks.url, alice, "alice-pw", { project: { id: ids.parent } })).res.status).toBe(401);
    expect((await call(ks.url, "PUT", `/v3/groups/${ids.devs}/users/${ids.alice}`, { token: admin })).status).toBe(204);
    expect((await call(ks.url, "HEAD", `/v3/groups/${ids.devs}/users/${ids.alice}`, { token: admin })).status).toBe(204);
    expect((await call(ks.url, "PUT", `/v3/projects/${ids.parent}/groups/${ids.devs}/roles/${ids.member}`, { token: admin })).status).toBe(
      204,
    );
    const t = await login(ks.url, alice, "alice-pw", { project: { id: ids.parent } });
    expect(t.res.status).toBe(201);
    expect(names(t.res.body.token.roles)).toEqual(["member", "reader"]);
    expect(t.res.body.token.is_admin_project).toBe(false);
    // not inherited: nothing on the child
    expect((await login(ks.url, alice, "alice-pw", { project: { id: ids.child } })).res.status).toBe(401);
  });

  it("an inherited grant on the parent reaches the child, not the parent", async () => {
    const put = await call(
      ks.url,
      "PUT",
      `/v3/OS-INHERIT/projects/${ids.parent}/users/${ids.alice}/roles/${ids.admin}/inherited_to_projects`,
      { token: admin },
    );
    expect(put.status).toBe(204);
    const child = await login(ks.url, alice, "alice-pw", { project: { id: ids.child } });
    expect(child.res.status).toBe(201);
    expect(names(child.res.body.token.roles)).toEqual(["admin", "member", "reader"]);
    const parent = await login(ks.url, alice, "alice-pw", { project: { id: ids.parent } });
    expect(names(parent.res.body.token.roles)).toEqual(["member", "reader"]);
  });

  it("a domain-specific role grants only the global roles it implies", async () => {
    const ds = await create("role", { name: "dev-lead", domain_id: "default" });
    expect((await call(ks.url, "PUT", `/v3/roles/${ds}/implies/${ids.reader}`, { token: admin })).status).toBe(201);
    const p = await create("project", { name: "ds-proj", domain_id: "default" });
    expect((await call(ks.url, "PUT", `/v3/projects/${p}/users/${ids.alice}/roles/${ds}`, { token: admin })).status).toBe(204);
    const t = await login(ks.url, alice, "alice-pw", { project: { id: p } });
    expect(t.res.status).toBe(201);
    expect(names(t.res.body.token.roles)).toEqual(["reader"]);
    // a domain-specific role cannot be granted on a project of another domain
    const other = await create("domain", { name: "elsewhere" });
    const op = await create("project", { name: "far", domain_id: other });
    const mismatch = await call(ks.url, "PUT", `/v3/projects/${op}/users/${ids.alice}/roles/${ds}`, { token: admin });
    expect(mismatch.status).toBe(403);
    expect(mismatch.body.error.message).toBe(`Project ${op} must be in the same domain as the role ${ds} being assigned.`);
    // and it is listed only under its domain
    const global = await call(ks.url, "GET", "/v3/roles", { token: admin });
    expect(names(global.body.roles)).toEqual(["admin", "member", "reader"]);
    const scoped = await call(ks.url, "GET", "/v3/roles?domain_id=default", { token: admin });
    expect(names(scoped.body.roles)).toEqual(["dev-lead"]);
  });

  it("/v3/role_assignments lists, filters, and expands in effective mode", async () => {
    const direct = await call(ks.url, "GET", `/v3/role_assignments?user.id=${ids.alice}`, { token: admin });
    expect(direct.status).toBe(200);
    const inherited = direct.body.role_assignments.find((a: { scope: Record<string, unknown> }) => a.scope["OS-INHERIT:inherited_to"]);
    expect(inherited.scope.project.id).toBe(ids.parent);
    expect(inherited.links.assignment).toBe(
      `${ks.url}/v3/OS-INHERIT/projects/${ids.parent}/users/${ids.alice}/roles/${ids.admin}/inherited_to_projects`,
    );

    const eff = await call(
      ks.url,
      "GET",
      `/v3/role_assignments?effective&include_names&user.id=${ids.alice}&scope.project.id=${ids.parent}`,
      {
        token: admin,
      },
    );
    expect(eff.status).toBe(200);
    const rows = eff.body.role_assignments as Array<{
      role: { name: string };
      user: { id: string; name: string };
      links: Record<string, string>;
    }>;
    expect(names(rows.map((r) => r.role))).toEqual(["member", "reader"]);
    expect(rows.every((r) => r.user.id === ids.alice && r.user.name === "alice")).toBe(true);
    expect(rows[0]?.links.membership).toBe(`${ks.url}/v3/groups/${ids.devs}/users/${ids.alice}`);
    const viaImplied = rows.find((r) => r.role.name === "reader");
    expect(viaImplied?.links.prior_role).toBe(`${ks.url}/v3/roles/${ids.member}`);

    const system = await call(ks.url, "GET", "/v3/role_assignments?scope.system=all", { token: admin });
    expect(system.body.role_assignments).toHaveLength(1);
    expect(system.body.role_assignments[0].scope).toEqual({ system: { all: true } });

    const tree = await call(ks.url, "GET", `/v3/role_assignments?effective&scope.project.id=${ids.parent}&include_subtree=true`, {
      token: admin,
    });
    expect(tree.body.role_assignments.some((a: { scope: { project: { id: string } } }) => a.scope.project.id === ids.child)).toBe(true);
  });

  it("grants answer HEAD 204/404 and list per target", async () => {
    expect((await call(ks.url, "HEAD", `/v3/projects/${ids.parent}/groups/${ids.devs}/roles/${ids.member}`, { token: admin })).status).toBe(
      204,
    );
    expect((await call(ks.url, "HEAD", `/v3/projects/${ids.parent}/groups/${ids.devs}/roles/${ids.admin}`, { token: admin })).status).toBe(
      404,
    );
    const list = await call(ks.url, "GET", `/v3/projects/${ids.parent}/groups/${ids.devs}/roles`, { token: admin });
    expect(names(list.body.roles)).toEqual(["member"]);
    const missing = await call(ks.url, "PUT", `/v3/projects/nope/users/${ids.alice}/roles/${ids.member}`, { token: admin });
    expect(missing.status).toBe(404);
    expect(missing.body.error.message).toBe("Could not find project: nope.");
  });
});
