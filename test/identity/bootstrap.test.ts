import { describe, expect, it } from "vitest";
import { openDatabase } from "../../src/engine/common/db/database.js";
import { bootstrap } from "../../src/engine/identity/bootstrap.js";
import { KeystoneStore } from "../../src/engine/identity/store.js";

const fresh = () => new KeystoneStore(openDatabase(":memory:"), { hash: { algorithm: "bcrypt", rounds: 4 } });

describe("bootstrap (keystone-manage bootstrap)", () => {
  it("creates the default domain, admin project/user, roles with implications, grants and endpoints", () => {
    const s = fresh();
    const r = bootstrap(s, {
      password: "pw",
      regionId: "RegionOne",
      publicUrl: "http://h:5000/v3",
      internalUrl: "http://h:5000/v3",
      adminUrl: "http://h:5000/v3",
    });
    expect(s.resource.getDomain("default").name).toBe("Default");
    expect(s.resource.getProjectByName("admin", "default").id).toBe(r.project_id);
    expect(s.identity.checkPassword(r.user_id, "pw")).toBe(true);
    expect(s.effective.onProject(r.user_id, r.project_id).map((x) => x.name)).toEqual(["admin", "member", "reader"]);
    expect(s.effective.onSystem(r.user_id).map((x) => x.name)).toEqual(["admin", "member", "reader"]);
    expect(s.assignment.hasImplied(r.role_ids.admin as string, r.role_ids.member as string)).toBe(true);
    expect(s.assignment.hasImplied(r.role_ids.member as string, r.role_ids.reader as string)).toBe(true);
    expect(s.catalog.findRegion("RegionOne")).toBeDefined();
    const svc = s.catalog.listServices({ type: "identity" });
    expect(svc).toHaveLength(1);
    expect(svc[0]?.name).toBe("keystone");
    expect(
      s.catalog
        .listEndpoints({ service_id: svc[0]?.id })
        .map((e) => e.interface)
        .sort(),
    ).toEqual(["admin", "internal", "public"]);
  });

  it("is idempotent, and a re-run resets the password and moves an endpoint URL", () => {
    const s = fresh();
    const first = bootstrap(s, { password: "pw", regionId: "RegionOne", publicUrl: "http://a/v3" });
    const second = bootstrap(s, { password: "new-pw", regionId: "RegionOne", publicUrl: "http://b/v3" });
    expect(second.created).toEqual([]);
    expect(second.user_id).toBe(first.user_id);
    expect(s.identity.listUsers()).toHaveLength(1);
    expect(s.assignment.listRoles()).toHaveLength(3);
    expect(s.assignment.list({ actor_ids: [first.user_id] })).toHaveLength(2);
    expect(s.identity.checkPassword(first.user_id, "new-pw")).toBe(true);
    expect(s.catalog.listEndpoints().map((e) => e.url)).toEqual(["http://b/v3"]);
  });
});
