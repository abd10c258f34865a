import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Cloud, type Reply, alive, req, upCloud } from "./cloud.js";

// Malformed requests across every API: whatever a script sends, the answer is a 4xx (or a 2xx when
// the input happened to be valid) in the service's own error format, never a 5xx, never a dead process.
const RUNS = 10_000;

type Service = "keystone" | "glance" | "placement" | "nova";
interface Target {
  service: Service;
  method: string;
  /** `{id}` is replaced by a generated identifier. */
  path: string;
  /** A valid body to mutate (undefined: no body). */
  body?: Record<string, unknown>;
  contentType?: string;
}

const TARGETS: Target[] = [
  { service: "keystone", method: "POST", path: "/projects", body: { project: { name: "p", domain_id: "default", enabled: true } } },
  { service: "keystone", method: "POST", path: "/users", body: { user: { name: "u", password: "secret", domain_id: "default" } } },
  {
    service: "keystone",
    method: "POST",
    path: "/auth/tokens",
    body: {
      auth: { identity: { methods: ["password"], password: { user: { name: "admin", domain: { id: "default" }, password: "x" } } } },
    },
  },
  { service: "keystone", method: "PATCH", path: "/projects/{id}", body: { project: { description: "d" } } },
  { service: "keystone", method: "GET", path: "/users/{id}" },
  { service: "keystone", method: "GET", path: "/projects" },
  { service: "keystone", method: "POST", path: "/roles", body: { role: { name: "r" } } },
  {
    service: "glance",
    method: "POST",
    path: "/v2/images",
    body: { name: "i", disk_format: "raw", container_format: "bare", visibility: "private" },
  },
  {
    service: "glance",
    method: "PATCH",
    path: "/v2/images/{id}",
    body: { op: "replace", path: "/name", value: "n" },
    contentType: "application/openstack-images-v2.1-json-patch",
  },
  { service: "glance", method: "GET", path: "/v2/images" },
  { service: "glance", method: "GET", path: "/v2/images/{id}" },
  { service: "glance", method: "POST", path: "/v2/images/{id}/members", body: { member: "someone" } },
  { service: "placement", method: "POST", path: "/resource_providers", body: { name: "rp", uuid: "7d4b9b02-4b47-4a0e-9f0c-34a4e1c9a1e2" } },
  {
    service: "placement",
    method: "PUT",
    path: "/resource_providers/{id}/inventories",
    body: { resource_provider_generation: 0, inventories: { VCPU: { total: 4 } } },
  },
  {
    service: "placement",
    method: "PUT",
    path: "/allocations/{id}",
    body: {
      allocations: { "7d4b9b02-4b47-4a0e-9f0c-34a4e1c9a1e2": { resources: { VCPU: 1 } } },
      project_id: "p",
      user_id: "u",
      consumer_generation: null,
    },
  },
  { service: "placement", method: "GET", path: "/allocation_candidates" },
  { service: "placement", method: "GET", path: "/resource_providers" },
  { service: "placement", method: "PUT", path: "/traits/{id}" },
  { service: "nova", method: "POST", path: "/servers", body: { server: { name: "s", imageRef: "x", flavorRef: "1", networks: "none" } } },
  { service: "nova", method: "POST", path: "/servers/{id}/action", body: { "os-stop": null } },
  { service: "nova", method: "GET", path: "/servers/detail" },
  { service: "nova", method: "GET", path: "/servers/{id}" },
  { service: "nova", method: "POST", path: "/flavors", body: { flavor: { name: "f", ram: 64, vcpus: 1, disk: 1 } } },
  { service: "nova", method: "POST", path: "/os-keypairs", body: { keypair: { name: "k" } } },
  { service: "nova", method: "PUT", path: "/os-quota-sets/{id}", body: { quota_set: { instances: 5 } } },
];

let cloud: Cloud;
let token = "";
let base: Record<Service, string>;

beforeAll(async () => {
  cloud = await upCloud("badinput", [], 1);
  token = await cloud.adminToken();
  base = { keystone: cloud.urls.identity, glance: cloud.urls.image, placement: cloud.urls.placement, nova: cloud.urls.compute };
}, 240_000);

afterAll(async () => {
  await cloud?.down();
}, 120_000);

// ---- generators ----
const weirdString = fc.oneof(
  fc.string(),
  fc.string({ unit: "grapheme", maxLength: 40 }),
  fc.constantFrom("", " ", "\u0000", "💥", "Ω≈ç√", "' OR 1=1 --", "../../etc/passwd", "%", "%zz", "\ud800", "a".repeat(300)),
);
const wrongType = fc.oneof(
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.integer(), { maxLength: 3 }),
  weirdString,
  fc.dictionary(fc.string(), fc.integer(), { maxKeys: 3 }),
);

/** Replace, drop or add one field somewhere in a valid body. */
function mutate(body: unknown, pick: number, value: unknown, mode: number): unknown {
  if (body === null || typeof body !== "object" || Array.isArray(body)) return value;
  const obj = { ...(body as Record<string, unknown>) };
  const keys = Object.keys(obj);
  if (keys.length === 0) return { [String(pick)]: value };
  const key = keys[pick % keys.length] as string;
  const inner = obj[key];
  if (inner && typeof inner === "object" && !Array.isArray(inner) && mode % 2 === 0)
    obj[key] = mutate(inner, Math.floor(pick / 2), value, Math.floor(mode / 2));
  else if (mode % 3 === 0) delete obj[key];
  else if (mode % 3 === 1) obj[key] = value;
  else obj[`extra_${pick}`] = value;
  return obj;
}

const deep = fc.integer({ min: 100, max: 20_000 }).map((n) => `${"[".repeat(n)}${"]".repeat(n)}`);
const deepObject = fc.integer({ min: 100, max: 5_000 }).map((n) => `${'{"a":'.repeat(n)}1${"}".repeat(n)}`);
const huge = fc.integer({ min: 200_000, max: 1_500_000 }).map((n) => JSON.stringify({ name: "x".repeat(n) }));

/** encodeURIComponent, except that a lone surrogate (not encodable) goes raw: fetch sends it as U+FFFD. */
const enc = (s: string) => {
  try {
    return encodeURIComponent(s);
  } catch {
    return s.replace(/[#?&/\s%]/g, "");
  }
};
const identifier = fc.oneof(
  fc.uuid(),
  weirdString.map(enc),
  fc.constantFrom("%zz", "%", "..", "null", "0", "-1", "7d4b9b02-4b47-4a0e-9f0c", "%2e%2e", "a%00b"),
);
const queryString = fc
  .array(
    fc.tuple(
      fc.constantFrom(
        "limit",
        "marker",
        "name",
        "sort",
        "sort_key",
        "sort_dir",
        "resources",
        "member_of",
        "required",
        "in_tree",
        "changes-since",
        "all_tenants",
        "status",
        "enabled",
        "visibility",
        "x",
      ),
      weirdString,
    ),
    { maxLength: 4 },
  )
  .map((pairs) => pairs.map(([k, v]) => `${k}=${v.length % 5 ? enc(v) : v.replace(/[#?&\s]/g, "")}`).join("&"));
const microversion = fc.oneof(
  fc.constantFrom("", "latest", "2.1", "2.79", "2.1000", "1.0", "1.39", "1.40", "0.9", "3.0", "abc", "2.", ".5", "1.01", "-1.5"),
  fc.stringMatching(/^[ -~]{0,12}$/),
);

interface Case {
  target: Target;
  id: string;
  query: string;
  mv?: string;
  kind: "mutated" | "wrongtop" | "raw";
  pick: number;
  mode: number;
  value: unknown;
  raw: string;
}

const caseArb: fc.Arbitrary<Case> = fc.record({
  target: fc.constantFrom(...TARGETS),
  id: identifier,
  query: fc.oneof(fc.constant(""), queryString),
  mv: fc.option(microversion, { nil: undefined }),
  kind: fc.constantFrom("mutated", "mutated", "wrongtop", "raw"),
  pick: fc.nat(50),
  mode: fc.nat(50),
  value: wrongType,
  raw: fc.oneof(
    deep,
    deepObject,
    huge,
    fc.string(),
    fc.constantFrom("{", "{}", "[]", "null", '{"a":}', "\u0000", '{"server": 1e999}', "true"),
  ),
});

/** The service's own error document for this status (Keystone `error`, Nova fault, Placement `errors[]`, Glance text page). */
function wellFormedError(service: Service, r: Reply): string | undefined {
  if (r.status < 400) return undefined;
  switch (service) {
    case "keystone":
      return r.body?.error?.code === r.status && typeof r.body.error.message === "string"
        ? undefined
        : `keystone error body: ${r.text.slice(0, 200)}`;
    case "nova": {
      const values = typeof r.body === "object" && r.body ? Object.values(r.body) : [];
      const fault = values[0] as { code?: number; message?: string } | undefined;
      return values.length === 1 && fault?.code === r.status && typeof fault.message === "string"
        ? undefined
        : `nova fault body: ${r.text.slice(0, 200)}`;
    }
    case "placement":
      return r.body?.errors?.[0]?.status === r.status && typeof r.body.errors[0].detail === "string"
        ? undefined
        : `placement errors body: ${r.text.slice(0, 200)}`;
    case "glance":
      return r.text.startsWith(`${r.status} `) || r.body?.error ? undefined : `glance error page: ${r.text.slice(0, 200)}`;
  }
}

async function send(c: Case): Promise<{ reply: Reply; what: string }> {
  const t = c.target;
  const path = t.path.replace("{id}", c.id) + (c.query ? `?${c.query}` : "");
  const url = base[t.service] + path;
  const headers: Record<string, string> = {};
  if (t.contentType) headers["content-type"] = t.contentType;
  if (c.mv !== undefined) {
    if (t.service === "nova") {
      headers["openstack-api-version"] = `compute ${c.mv}`;
      headers["x-openstack-nova-api-version"] = c.mv;
    } else if (t.service === "placement") headers["openstack-api-version"] = `placement ${c.mv}`;
  }
  let raw: string | undefined;
  if (t.method !== "GET") {
    if (c.kind === "raw") raw = c.raw;
    else if (c.kind === "wrongtop") raw = JSON.stringify(c.value) ?? "null";
    else raw = JSON.stringify(mutate(t.body ?? {}, c.pick, c.value, c.mode)) ?? "null";
    if (t.contentType?.includes("json-patch") && c.kind === "mutated") raw = `[${raw}]`;
  }
  const what = `${t.method} ${path} mv=${c.mv ?? "-"} body=${(raw ?? "").slice(0, 160)}`;
  const reply = await req(t.method, url, { token, raw, headers, timeoutMs: 30_000 });
  return { reply, what };
}

describe("malformed requests", () => {
  it(`${RUNS} generated requests across keystone, glance, placement and nova: no 5xx, errors in each service's format, every process up`, async () => {
    const pidsBefore = cloud.units().map((u) => [u.name, u.pid] as const);
    const failures: string[] = [];
    const statuses = new Map<number, number>();
    const cases = fc.sample(caseArb, { numRuns: RUNS, seed: Number(process.env.POCKETSTACK_FUZZ_SEED ?? 20241129) });
    let next = 0;
    const worker = async () => {
      while (next < cases.length) {
        const c = cases[next++] as Case;
        try {
          const { reply, what } = await send(c);
          statuses.set(reply.status, (statuses.get(reply.status) ?? 0) + 1);
          if (reply.status >= 500) failures.push(`${reply.status} ← ${what}: ${reply.text.slice(0, 200)}`);
          else {
            const bad = wellFormedError(c.target.service, reply);
            if (bad) failures.push(`${reply.status} ← ${what}: ${bad}`);
          }
        } catch (e) {
          failures.push(`no answer ← ${c.target.method} ${c.target.path}: ${(e as Error).message}`);
        }
      }
    };
    await Promise.all(Array.from({ length: 4 }, worker));
    console.log(`bad-input statuses: ${JSON.stringify(Object.fromEntries([...statuses].sort((a, b) => a[0] - b[0])))}`);
    expect(failures.slice(0, 15)).toEqual([]);
    // Same processes, none restarted by the supervisor after a crash.
    for (const [name, pid] of pidsBefore) {
      expect(alive(pid), `${name} (${pid}) died`).toBe(true);
      expect(cloud.units().find((u) => u.name === name)?.restarts, name).toBe(0);
    }
  }, 600_000);

  it("the CLI given bad flags exits non-zero with one readable line", async () => {
    const commands = [
      ["server", "list", "--bogus"],
      ["server", "create"],
      ["image", "list", "--limit", "abc"],
      ["flavor", "create", "--ram", "x", "f1"],
      ["project", "create"],
      ["server", "show"],
      ["resource", "provider", "inventory", "set"],
      ["server", "create", "--flavor"],
      ["keypair", "create", "--type", "bogus", "k"],
      ["resource", "provider", "list", "--os-placement-api-version", "9.9"],
    ];
    const results = await Promise.all(commands.map((args) => cloud.os(args)));
    results.forEach((r, i) => {
      const cmd = `os ${commands[i]?.join(" ")}`;
      expect(r.code, cmd).not.toBe(0);
      const lines = r.stderr.split("\n").filter((l) => l.trim() !== "");
      expect(lines, `${cmd}: ${r.stderr}`).toHaveLength(1);
      expect(lines[0], cmd).not.toMatch(/^\s+at |TypeError|ReferenceError|undefined/);
      expect((lines[0] ?? "").length, cmd).toBeGreaterThan(10);
    });
  }, 120_000);
});
