import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { KeystoneStore } from "../../src/engine/identity/store.js";

// The token path remembers effective roles and reuses compiled statements (for the validate/issue
// throughput targets). Neither may ever answer from before a change, by this connection or another.

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function fixture(store: KeystoneStore) {
  const domain = store.resource.createDomain({ id: "default", name: "Default" });
  const project = store.resource.createProject({ name: "demo", domain_id: domain.id });
  const user = store.identity.createUser({ name: "demo", domain_id: domain.id });
  const reader = store.assignment.createRole({ name: "reader" });
  const member = store.assignment.createRole({ name: "member" });
  return { domain, project, user, reader, member };
}

const names = (roles: { name: string }[]) => roles.map((r) => r.name);

describe("effective roles memo", () => {
  it("follows grants, implied roles, groups and revokes on the same connection", () => {
    const store = KeystoneStore.open(":memory:");
    const { project, user, reader, member, domain } = fixture(store);
    expect(names(store.effective.onProject(user.id, project.id))).toEqual([]);
    store.assignment.grant({ actor: "user", actor_id: user.id, target: "project", target_id: project.id, role_id: reader.id });
    expect(names(store.effective.onProject(user.id, project.id))).toEqual(["reader"]);
    store.assignment.addImplied(member.id, reader.id);
    const group = store.identity.createGroup({ name: "g", domain_id: domain.id });
    store.assignment.grant({ actor: "group", actor_id: group.id, target: "project", target_id: project.id, role_id: member.id });
    expect(names(store.effective.onProject(user.id, project.id))).toEqual(["reader"]);
    store.identity.addToGroup(user.id, group.id);
    expect(names(store.effective.onProject(user.id, project.id))).toEqual(["member", "reader"]);
    store.assignment.revoke({ actor: "user", actor_id: user.id, target: "project", target_id: project.id, role_id: reader.id });
    store.identity.removeFromGroup(user.id, group.id);
    expect(names(store.effective.onProject(user.id, project.id))).toEqual([]);
    store.close();
  });

  it("hands out copies, so a caller's filter does not change the next answer", () => {
    const store = KeystoneStore.open(":memory:");
    const { project, user, reader } = fixture(store);
    store.assignment.grant({ actor: "user", actor_id: user.id, target: "project", target_id: project.id, role_id: reader.id });
    store.effective.onProject(user.id, project.id).length = 0;
    expect(names(store.effective.onProject(user.id, project.id))).toEqual(["reader"]);
    store.close();
  });

  it("sees a grant made by another connection to the same database (keystone-manage while keystone runs)", () => {
    const dir = mkdtempSync(join(tmpdir(), "ps-memo-"));
    dirs.push(dir);
    const file = join(dir, "keystone.sqlite");
    const server = KeystoneStore.open(file);
    const { project, user, reader } = fixture(server);
    expect(server.effective.onSystem(user.id)).toEqual([]);
    expect(server.effective.onProject(user.id, project.id)).toEqual([]);
    const manage = KeystoneStore.open(file);
    manage.assignment.grant({ actor: "user", actor_id: user.id, target: "system", target_id: "all", role_id: reader.id });
    manage.assignment.grant({ actor: "user", actor_id: user.id, target: "project", target_id: project.id, role_id: reader.id });
    manage.close();
    expect(names(server.effective.onSystem(user.id))).toEqual(["reader"]);
    expect(names(server.effective.onProject(user.id, project.id))).toEqual(["reader"]);
    server.close();
  });
});

describe("statement cache", () => {
  it("compiles a statement once per SQL text and keeps the store's plucked statements to itself", () => {
    const store = KeystoneStore.open(":memory:");
    const sql = "SELECT id FROM project WHERE id = ?";
    expect(store.db.prepare(sql)).toBe(store.db.prepare(sql));
    // The store's generation() plucks "SELECT total_changes()"; a backend asking for it gets rows.
    expect(Object.keys(store.db.prepare("SELECT total_changes()").get() as object)).toEqual(["total_changes()"]);
    expect(typeof store.generation()).toBe("string");
    store.close();
  });
});
