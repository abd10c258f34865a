import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/engine/common/config/config.js";
import { layout } from "../../src/engine/common/paths.js";
import { bootstrap } from "../../src/engine/identity/bootstrap.js";
import { openKeystoneStore } from "../../src/engine/identity/keystone.js";
import { type KeystoneHandle, startKeystone } from "../helpers/keystone.js";
import { adminProject, adminUser, call, login } from "./client.js";

let ks: KeystoneHandle;
let admin: string;
beforeAll(async () => {
  ks = await startKeystone();
  admin = (await login(ks.url, adminUser, ks.adminPassword, adminProject)).token;
});
afterAll(async () => {
  await ks?.stop();
});

describe("services, endpoints, regions", () => {
  it("registers a service with endpoints that then appear in new tokens' catalogs", async () => {
    const svc = await call(ks.url, "POST", "/v3/services", {
      token: admin,
      body: { service: { type: "image", name: "glance", description: "Image" } },
    });
    expect(svc.status).toBe(201);
    expect(svc.body.service).toMatchObject({ type: "image", name: "glance", enabled: true });
    expect(svc.body.service.links.self).toBe(`${ks.url}/v3/services/${svc.body.service.id}`);
    const sid = svc.body.service.id;
    for (const iface of ["public", "internal"]) {
      const ep = await call(ks.url, "POST", "/v3/endpoints", {
        token: admin,
        body: { endpoint: { service_id: sid, interface: iface, url: "http://127.0.0.1:9292", region_id: "RegionOne" } },
      });
      expect(ep.status).toBe(201);
      expect(ep.body.endpoint).toMatchObject({ interface: iface, region_id: "RegionOne", region: "RegionOne", enabled: true });
    }
    const bad = await call(ks.url, "POST", "/v3/endpoints", {
      token: admin,
      body: { endpoint: { service_id: sid, interface: "sideways", url: "http://x" } },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toMatch(/interface/);

    const filtered = await call(ks.url, "GET", `/v3/endpoints?service_id=${sid}&interface=public`, { token: admin });
    expect(filtered.body.endpoints).toHaveLength(1);
    const byRegion = await call(ks.url, "GET", "/v3/endpoints?region_id=RegionOne", { token: admin });
    expect(byRegion.body.endpoints).toHaveLength(5);
    const byType = await call(ks.url, "GET", "/v3/services?type=image", { token: admin });
    expect(byType.body.services.map((s: { name: string }) => s.name)).toEqual(["glance"]);

    const t = await login(ks.url, adminUser, ks.adminPassword, adminProject);
    const image = t.res.body.token.catalog.find((s: { type: string }) => s.type === "image");
    expect(image.endpoints).toHaveLength(2);

    // disabling the service drops it from the catalog
    await call(ks.url, "PATCH", `/v3/services/${sid}`, { token: admin, body: { service: { enabled: false } } });
    const t2 = await login(ks.url, adminUser, ks.adminPassword, adminProject);
    expect(t2.res.body.token.catalog.find((s: { type: string }) => s.type === "image")).toBeUndefined();
    expect((await call(ks.url, "DELETE", `/v3/services/${sid}`, { token: admin })).status).toBe(204);
    expect((await call(ks.url, "GET", `/v3/endpoints?service_id=${sid}`, { token: admin })).body.endpoints).toHaveLength(0);
  });

  it("regions: create with an id, list, child regions", async () => {
    const r = await call(ks.url, "POST", "/v3/regions", { token: admin, body: { region: { id: "RegionTwo", description: "second" } } });
    expect(r.status).toBe(201);
    const child = await call(ks.url, "POST", "/v3/regions", {
      token: admin,
      body: { region: { id: "RegionTwoA", parent_region_id: "RegionTwo" } },
    });
    expect(child.body.region.parent_region_id).toBe("RegionTwo");
    const list = await call(ks.url, "GET", "/v3/regions", { token: admin });
    expect(list.body.regions.map((x: { id: string }) => x.id).sort()).toEqual(["RegionOne", "RegionTwo", "RegionTwoA"]);
    expect((await call(ks.url, "POST", "/v3/regions", { token: admin, body: { region: { id: "RegionTwo" } } })).status).toBe(409);
  });
});

describe("writes by another process (keystone-manage while keystone runs)", () => {
  it("a bootstrap re-run that moves the identity endpoint shows in the next token's catalog", async () => {
    const before = await login(ks.url, adminUser, ks.adminPassword, adminProject);
    const pub = (t: typeof before) =>
      t.res.body.token.catalog
        .find((s: { type: string }) => s.type === "identity")
        .endpoints.find((e: { interface: string }) => e.interface === "public").url;
    expect(pub(before)).toBe(`${ks.url}/v3`);
    const store = openKeystoneStore(loadConfig(undefined, ks.settings), layout(ks.stateDir));
    try {
      bootstrap(store, { password: ks.adminPassword, regionId: "RegionOne", publicUrl: "http://moved.example:5000/v3" });
    } finally {
      store.close();
    }
    const after = await login(ks.url, adminUser, ks.adminPassword, adminProject);
    expect(pub(after)).toBe("http://moved.example:5000/v3");
  });
});

describe("domains, projects, users, groups CRUD and filters", () => {
  it("creates a domain with its own project and user; filters by domain_id, name, enabled", async () => {
    const d = await call(ks.url, "POST", "/v3/domains", { token: admin, body: { domain: { name: "acme", description: "ACME" } } });
    expect(d.status).toBe(201);
    const did = d.body.domain.id;
    expect(d.body.domain).toMatchObject({ name: "acme", enabled: true, description: "ACME" });
    const p = await call(ks.url, "POST", "/v3/projects", {
      token: admin,
      body: { project: { name: "rockets", domain_id: did, enabled: false } },
    });
    expect(p.body.project.domain_id).toBe(did);
    const u = await call(ks.url, "POST", "/v3/users", {
      token: admin,
      body: { user: { name: "wile", domain_id: did, email: "w@acme", password: "x" } },
    });
    expect(u.body.user).toMatchObject({ name: "wile", domain_id: did, email: "w@acme", enabled: true });
    expect(u.body.user.password).toBeUndefined();

    expect(
      (await call(ks.url, "GET", `/v3/projects?domain_id=${did}`, { token: admin })).body.projects.map((x: { name: string }) => x.name),
    ).toEqual(["rockets"]);
    expect(
      (await call(ks.url, "GET", "/v3/projects?enabled=false", { token: admin })).body.projects.map((x: { name: string }) => x.name),
    ).toEqual(["rockets"]);
    expect((await call(ks.url, "GET", "/v3/projects?name=admin", { token: admin })).body.projects).toHaveLength(1);
    expect(
      (await call(ks.url, "GET", `/v3/users?domain_id=${did}`, { token: admin })).body.users.map((x: { name: string }) => x.name),
    ).toEqual(["wile"]);
    expect((await call(ks.url, "GET", "/v3/domains?name=acme", { token: admin })).body.domains).toHaveLength(1);

    // a domain must be disabled before it can be deleted
    const del = await call(ks.url, "DELETE", `/v3/domains/${did}`, { token: admin });
    expect(del.status).toBe(403);
    await call(ks.url, "PATCH", `/v3/domains/${did}`, { token: admin, body: { domain: { enabled: false } } });
    expect((await call(ks.url, "DELETE", `/v3/domains/${did}`, { token: admin })).status).toBe(204);
    expect((await call(ks.url, "GET", `/v3/users/${u.body.user.id}`, { token: admin })).status).toBe(404);
  });

  it("a project with children cannot be deleted; a leaf can", async () => {
    const parent = (await call(ks.url, "POST", "/v3/projects", { token: admin, body: { project: { name: "tree-top" } } })).body.project;
    expect(parent.domain_id).toBe("default");
    const leaf = (
      await call(ks.url, "POST", "/v3/projects", { token: admin, body: { project: { name: "tree-leaf", parent_id: parent.id } } })
    ).body.project;
    expect((await call(ks.url, "DELETE", `/v3/projects/${parent.id}`, { token: admin })).status).toBe(403);
    expect((await call(ks.url, "DELETE", `/v3/projects/${leaf.id}`, { token: admin })).status).toBe(204);
    expect((await call(ks.url, "DELETE", `/v3/projects/${parent.id}`, { token: admin })).status).toBe(204);
  });

  it("groups: membership, a user's groups, a group's users", async () => {
    const g = (await call(ks.url, "POST", "/v3/groups", { token: admin, body: { group: { name: "ops", description: "Ops" } } })).body.group;
    const u = (await call(ks.url, "POST", "/v3/users", { token: admin, body: { user: { name: "olga" } } })).body.user;
    expect((await call(ks.url, "HEAD", `/v3/groups/${g.id}/users/${u.id}`, { token: admin })).status).toBe(404);
    await call(ks.url, "PUT", `/v3/groups/${g.id}/users/${u.id}`, { token: admin });
    expect(
      (await call(ks.url, "GET", `/v3/users/${u.id}/groups`, { token: admin })).body.groups.map((x: { name: string }) => x.name),
    ).toEqual(["ops"]);
    expect(
      (await call(ks.url, "GET", `/v3/groups/${g.id}/users`, { token: admin })).body.users.map((x: { name: string }) => x.name),
    ).toEqual(["olga"]);
    expect((await call(ks.url, "DELETE", `/v3/groups/${g.id}/users/${u.id}`, { token: admin })).status).toBe(204);
    expect((await call(ks.url, "GET", `/v3/groups/${g.id}/users`, { token: admin })).body.users).toEqual([]);
  });
});

describe("credentials and application credentials", () => {
  it("stores a credential blob for a user", async () => {
    const me = (await call(ks.url, "GET", "/v3/users?name=admin", { token: admin })).body.users[0].id;
    const c = await call(ks.url, "POST", "/v3/credentials", {
      token: admin,
      body: { credential: { user_id: me, type: "totp", blob: "abc" } },
    });
    expect(c.status).toBe(201);
    expect(c.body.credential).toMatchObject({ user_id: me, type: "totp", blob: "abc", project_id: null });
    expect((await call(ks.url, "GET", `/v3/credentials?user_id=${me}`, { token: admin })).body.credentials).toHaveLength(1);
    expect((await call(ks.url, "DELETE", `/v3/credentials/${c.body.credential.id}`, { token: admin })).status).toBe(204);
  });

  it("an application credential authenticates with a subset of roles; its secret is shown once", async () => {
    const t = await login(ks.url, adminUser, ks.adminPassword, adminProject);
    const me = t.res.body.token.user.id;
    const created = await call(ks.url, "POST", `/v3/users/${me}/application_credentials`, {
      token: t.token,
      body: { application_credential: { name: "ci", roles: [{ name: "reader" }] } },
    });
    expect(created.status).toBe(201);
    const ac = created.body.application_credential;
    expect(ac.secret).toBeTruthy();
    expect(ac.project_id).toBe(t.res.body.token.project.id);
    expect(ac.roles.map((r: { name: string }) => r.name)).toEqual(["reader"]);
    expect(ac.unrestricted).toBe(false);
    const shown = await call(ks.url, "GET", `/v3/users/${me}/application_credentials/${ac.id}`, { token: t.token });
    expect(shown.body.application_credential.secret).toBeUndefined();

    const auth = await call(ks.url, "POST", "/v3/auth/tokens", {
      body: { auth: { identity: { methods: ["application_credential"], application_credential: { id: ac.id, secret: ac.secret } } } },
    });
    expect(auth.status).toBe(201);
    expect(auth.body.token.methods).toEqual(["application_credential"]);
    expect(auth.body.token.roles.map((r: { name: string }) => r.name)).toEqual(["reader"]);
    expect(auth.body.token.application_credential).toEqual({ id: ac.id, name: "ci", restricted: true });
    const appToken = auth.headers.get("x-subject-token") as string;
    // reader cannot create a project
    expect((await call(ks.url, "POST", "/v3/projects", { token: appToken, body: { project: { name: "nope" } } })).status).toBe(403);

    const byName = await call(ks.url, "POST", "/v3/auth/tokens", {
      body: {
        auth: {
          identity: { methods: ["application_credential"], application_credential: { name: "ci", user: { id: me }, secret: "wrong" } },
        },
      },
    });
    expect(byName.status).toBe(401);

    expect((await call(ks.url, "DELETE", `/v3/users/${me}/application_credentials/${ac.id}`, { token: t.token })).status).toBe(204);
    expect((await call(ks.url, "GET", "/v3/auth/tokens", { token: t.token, headers: { "x-subject-token": appToken } })).status).toBe(404);
  });
});
