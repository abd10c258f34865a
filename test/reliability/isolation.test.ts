import { readFileSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Cloud, passwordToken, req, sleep, upCloud, waitFor } from "./cloud.js";

// Who may do what: personas × representative actions per API, with the outcome OpenStack's default
// policies give; tokens that must stop working; secrets that must not leak into logs or readable files.
const TOKEN_LIFETIME_S = 40;
const MV = { "openstack-api-version": "compute 2.79", "x-openstack-nova-api-version": "2.79" };
const PMV = { "openstack-api-version": "placement 1.39" };
const PASSWORD = "Persona-pw-7f3a9c";

type Persona = "admin" | "member" | "reader" | "other";
let cloud: Cloud;
const tokens = new Map<Persona, { token: string; at: number }>();
const issued: string[] = [];
const ids: Record<string, string> = {};

async function tokenOf(p: Persona): Promise<string> {
  const t = tokens.get(p);
  if (t && Date.now() - t.at < (TOKEN_LIFETIME_S - 15) * 1000) return t.token;
  const [user, pw, project] =
    p === "admin"
      ? ["admin", cloud.adminPassword, "admin"]
      : p === "member"
        ? ["alice", PASSWORD, "proj-a"]
        : p === "reader"
          ? ["rita", PASSWORD, "proj-a"]
          : ["bob", PASSWORD, "proj-b"];
  const token = await passwordToken(cloud.urls.identity, user, pw, project);
  issued.push(token);
  tokens.set(p, { token, at: Date.now() });
  return token;
}

beforeAll(async () => {
  cloud = await upCloud("isolation", [`token.expiration=${TOKEN_LIFETIME_S}`], 1);
  const admin = await tokenOf("admin");
  const k = cloud.urls.identity;
  const post = async (path: string, body: unknown) => {
    const r = await req("POST", `${k}${path}`, { token: admin, body });
    if (r.status !== 201) throw new Error(`${path}: ${r.status} ${r.text}`);
    return r.body;
  };
  ids.projA = (await post("/projects", { project: { name: "proj-a", domain_id: "default" } })).project.id;
  ids.projB = (await post("/projects", { project: { name: "proj-b", domain_id: "default" } })).project.id;
  const roles = (await req("GET", `${k}/roles`, { token: admin })).body.roles as Array<{ id: string; name: string }>;
  const role = (name: string) => roles.find((r) => r.name === name)?.id as string;
  for (const [name, project, r] of [
    ["alice", ids.projA, "member"],
    ["rita", ids.projA, "reader"],
    ["bob", ids.projB, "member"],
  ] as const) {
    const user = (await post("/users", { user: { name, password: PASSWORD, domain_id: "default" } })).user.id;
    ids[name] = user;
    const put = await req("PUT", `${k}/projects/${project}/users/${user}/roles/${role(r)}`, { token: admin });
    expect(put.status).toBe(204);
  }
  for (const project of [ids.projA, ids.projB])
    await req("PUT", `${cloud.urls.compute}/os-quota-sets/${project}`, {
      token: admin,
      body: { quota_set: { instances: 20, cores: 40, ram: 100000 } },
    });
  // Objects owned by project A: a server and a private image.
  ids.image = (await req("GET", `${cloud.urls.image}/v2/images?name=cirros`, { token: admin })).body.images[0].id;
  const member = await tokenOf("member");
  const server = await req("POST", `${cloud.urls.compute}/servers`, {
    token: member,
    headers: MV,
    body: { server: { name: "a-server", imageRef: ids.image, flavorRef: "1", networks: "none" } },
  });
  expect(server.status, server.text).toBe(202);
  ids.server = server.body.server.id;
  const image = await req("POST", `${cloud.urls.image}/v2/images`, {
    token: member,
    body: { name: "a-image", disk_format: "raw", container_format: "bare" },
  });
  expect(image.status, image.text).toBe(201);
  ids.privImage = image.body.id;
  await waitFor(
    "a-server ACTIVE",
    async () => {
      const s = await req("GET", `${cloud.urls.compute}/servers/${ids.server}`, { token: member, headers: MV });
      return s.body.server?.status === "ACTIVE" ? true : undefined;
    },
    60_000,
    500,
  );
}, 240_000);

afterAll(async () => {
  await cloud?.down();
}, 120_000);

interface Action {
  name: string;
  run: (token: string) => Promise<number>;
  /** Expected status per persona. */
  expect: Record<Persona, number>;
}

const k = () => cloud.urls.identity;
const n = () => cloud.urls.compute;
const g = () => cloud.urls.image;
const p = () => cloud.urls.placement;
let seq = 0;
const uniq = () => `x${Date.now().toString(36)}${seq++}`;
const status = async (r: Promise<{ status: number }>) => (await r).status;

const ACTIONS: Action[] = [
  // Keystone (identity:* defaults: admin, or the project's own users for reads of their project).
  {
    name: "keystone list users",
    run: (t) => status(req("GET", `${k()}/users`, { token: t })),
    expect: { admin: 200, member: 403, reader: 403, other: 403 },
  },
  {
    name: "keystone create project",
    run: (t) => status(req("POST", `${k()}/projects`, { token: t, body: { project: { name: uniq(), domain_id: "default" } } })),
    expect: { admin: 201, member: 403, reader: 403, other: 403 },
  },
  {
    name: "keystone get project A",
    run: (t) => status(req("GET", `${k()}/projects/${ids.projA}`, { token: t })),
    expect: { admin: 200, member: 200, reader: 200, other: 403 },
  },
  {
    name: "keystone get own user (alice)",
    run: (t) => status(req("GET", `${k()}/users/${ids.alice}`, { token: t })),
    expect: { admin: 200, member: 200, reader: 403, other: 403 },
  },
  // Glance.
  {
    name: "glance show A's private image",
    run: (t) => status(req("GET", `${g()}/v2/images/${ids.privImage}`, { token: t })),
    expect: { admin: 200, member: 200, reader: 200, other: 404 },
  },
  {
    name: "glance create image",
    run: (t) => status(req("POST", `${g()}/v2/images`, { token: t, body: { name: uniq(), disk_format: "raw", container_format: "bare" } })),
    expect: { admin: 201, member: 201, reader: 403, other: 201 },
  },
  {
    name: "glance update A's private image",
    run: (t) =>
      status(
        req("PATCH", `${g()}/v2/images/${ids.privImage}`, {
          token: t,
          raw: JSON.stringify([{ op: "replace", path: "/name", value: uniq() }]),
          headers: { "content-type": "application/openstack-images-v2.1-json-patch" },
        }),
      ),
    expect: { admin: 200, member: 200, reader: 403, other: 404 },
  },
  {
    name: "glance publicize image",
    run: (t) =>
      status(
        req("PATCH", `${g()}/v2/images/${ids.privImage}`, {
          token: t,
          raw: JSON.stringify([{ op: "replace", path: "/visibility", value: "public" }]),
          headers: { "content-type": "application/openstack-images-v2.1-json-patch" },
        }),
      ),
    expect: { admin: 200, member: 403, reader: 403, other: 404 },
  },
  // Placement: admin only.
  {
    name: "placement list providers",
    run: (t) => status(req("GET", `${p()}/resource_providers`, { token: t, headers: PMV })),
    expect: { admin: 200, member: 403, reader: 403, other: 403 },
  },
  {
    name: "placement list traits",
    run: (t) => status(req("GET", `${p()}/traits`, { token: t, headers: PMV })),
    expect: { admin: 200, member: 403, reader: 403, other: 403 },
  },
  // Nova.
  {
    name: "nova show A's server",
    run: (t) => status(req("GET", `${n()}/servers/${ids.server}`, { token: t, headers: MV })),
    expect: { admin: 200, member: 200, reader: 200, other: 404 },
  },
  {
    name: "nova stop A's server (already handled: 202/409 allowed)",
    run: async (t) => {
      const s = await status(req("POST", `${n()}/servers/${ids.server}/action`, { token: t, headers: MV, body: { "os-stop": null } }));
      return s === 409 ? 202 : s;
    },
    expect: { admin: 202, member: 202, reader: 403, other: 404 },
  },
  {
    name: "nova delete A's server (other, reader only)",
    run: (t) => status(req("DELETE", `${n()}/servers/${ids.server}`, { token: t, headers: MV })),
    expect: { admin: -1, member: -1, reader: 403, other: 404 },
  },
  {
    name: "nova list flavors",
    run: (t) => status(req("GET", `${n()}/flavors`, { token: t, headers: MV })),
    expect: { admin: 200, member: 200, reader: 200, other: 200 },
  },
  {
    name: "nova create flavor",
    run: (t) =>
      status(req("POST", `${n()}/flavors`, { token: t, headers: MV, body: { flavor: { name: uniq(), ram: 64, vcpus: 1, disk: 1 } } })),
    expect: { admin: 200, member: 403, reader: 403, other: 403 },
  },
  {
    name: "nova list hypervisors",
    run: (t) => status(req("GET", `${n()}/os-hypervisors`, { token: t, headers: MV })),
    expect: { admin: 200, member: 403, reader: 403, other: 403 },
  },
  {
    name: "nova create server",
    run: (t) =>
      status(
        req("POST", `${n()}/servers`, {
          token: t,
          headers: MV,
          body: { server: { name: uniq(), imageRef: ids.image, flavorRef: "1", networks: "none" } },
        }),
      ),
    expect: { admin: 202, member: 202, reader: 403, other: 202 },
  },
  {
    name: "nova all_tenants list (index:get_all_tenants is admin only: 403)",
    run: async (t) => {
      const r = await req("GET", `${n()}/servers?all_tenants=1`, { token: t, headers: MV });
      if (r.status !== 200) return r.status;
      return (r.body.servers as Array<{ id: string }>).some((s) => s.id === ids.server) ? 200 : 404;
    },
    expect: { admin: 200, member: 403, reader: 403, other: 403 },
  },
];

describe("policy matrix and token hygiene", () => {
  it("personas × actions give OpenStack's default outcomes (another project's objects are 404)", async () => {
    const wrong: string[] = [];
    for (const a of ACTIONS)
      for (const persona of ["reader", "other", "member", "admin"] as Persona[]) {
        const want = a.expect[persona];
        if (want < 0) continue;
        const got = await a.run(await tokenOf(persona));
        if (got !== want) wrong.push(`${a.name} as ${persona}: ${got}, expected ${want}`);
      }
    expect(wrong).toEqual([]);
  }, 180_000);

  it("revoked and tampered tokens are refused", async () => {
    const t = await passwordToken(cloud.urls.identity, "alice", PASSWORD, "proj-a");
    issued.push(t);
    const admin = await tokenOf("admin");
    expect((await req("DELETE", `${k()}/auth/tokens`, { token: admin, headers: { "x-subject-token": t } })).status).toBe(204);
    expect((await req("GET", `${k()}/auth/tokens`, { token: admin, headers: { "x-subject-token": t } })).status).toBe(404);
    expect((await req("GET", `${n()}/servers`, { token: t, headers: MV })).status).toBe(401);
    expect((await req("GET", `${g()}/v2/images`, { token: t })).status).toBe(401);

    const good = await tokenOf("member");
    const mid = Math.floor(good.length / 2);
    const tampered = good.slice(0, mid) + (good[mid] === "A" ? "B" : "A") + good.slice(mid + 1);
    expect((await req("GET", `${k()}/auth/tokens`, { token: admin, headers: { "x-subject-token": tampered } })).status).toBe(404);
    expect((await req("GET", `${n()}/servers`, { token: tampered, headers: MV })).status).toBe(401);
    expect((await req("GET", `${p()}/resource_providers`, { token: `${admin}x`, headers: PMV })).status).toBe(401);
    const nova401 = await req("GET", `${n()}/servers`, { token: "not-a-token", headers: MV });
    expect(nova401.status).toBe(401);
    expect(nova401.headers.get("www-authenticate") ?? "").toContain("Keystone uri=");
  }, 60_000);

  it("expired tokens are refused", async () => {
    const t = await passwordToken(cloud.urls.identity, "rita", PASSWORD, "proj-a");
    issued.push(t);
    const admin = await tokenOf("admin");
    expect((await req("GET", `${k()}/auth/tokens`, { token: admin, headers: { "x-subject-token": t } })).status).toBe(200);
    await sleep((TOKEN_LIFETIME_S + 1) * 1000);
    const fresh = await passwordToken(cloud.urls.identity, "admin", cloud.adminPassword, "admin");
    issued.push(fresh);
    expect((await req("GET", `${k()}/auth/tokens`, { token: fresh, headers: { "x-subject-token": t } })).status).toBe(404);
    expect((await req("GET", `${g()}/v2/images`, { token: t })).status).toBe(401);
    expect((await req("GET", `${k()}/projects/${ids.projA}`, { token: t })).status).toBe(401);
  }, 90_000);

  it("a token encrypted with a rotated-out key is refused", async () => {
    const t = await passwordToken(cloud.urls.identity, "alice", PASSWORD, "proj-a");
    issued.push(t);
    for (let i = 0; i < 3; i++) {
      const r = await cloud.os(["manage", "keystone", "fernet-rotate", "--state-dir", cloud.dir]);
      expect(r.code, r.stderr).toBe(0);
    }
    await waitFor(
      "keystone to drop the old key",
      async () => {
        const admin = await passwordToken(cloud.urls.identity, "admin", cloud.adminPassword, "admin");
        issued.push(admin);
        const v = await req("GET", `${k()}/auth/tokens`, { token: admin, headers: { "x-subject-token": t } });
        return v.status === 404 ? true : undefined;
      },
      30_000,
      1000,
    );
    expect((await req("GET", `${g()}/v2/images`, { token: t })).status).toBe(401);
    // New tokens (the new primary key) work.
    const fresh = await passwordToken(cloud.urls.identity, "alice", PASSWORD, "proj-a");
    issued.push(fresh);
    expect((await req("GET", `${g()}/v2/images`, { token: fresh })).status).toBe(200);
  }, 120_000);

  it("no token or password appears in any log; keys, databases and credentials files are 0600", () => {
    const logs = join(cloud.dir, "logs");
    const secrets = [...new Set([...issued, PASSWORD, cloud.adminPassword])];
    const conf = readFileSync(join(cloud.dir, "pocketstack.conf"), "utf8");
    for (const m of conf.matchAll(/^\s*password\s*=\s*(\S+)/gm)) if (m[1]) secrets.push(m[1]);
    for (const f of readdirSync(logs)) {
      const text = readFileSync(join(logs, f), "utf8");
      for (const s of secrets) expect(text.includes(s), `${f} contains a secret (${s.slice(0, 6)}…)`).toBe(false);
    }
    const mode = (f: string) => (statSync(f).mode & 0o777).toString(8);
    const keys = join(cloud.dir, "keystone", "fernet-keys");
    for (const f of readdirSync(keys)) expect(mode(join(keys, f)), `fernet key ${f}`).toBe("600");
    const db = join(cloud.dir, "db");
    for (const f of readdirSync(db)) expect(mode(join(db, f)), `db/${f}`).toBe("600");
    for (const f of ["clouds.yaml", "admin-openrc", "pocketstack.conf"]) expect(mode(join(cloud.dir, f)), f).toBe("600");
  });
});
