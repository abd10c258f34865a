import { createHash } from "node:crypto";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { IdentityApi } from "../../src/client/identity.js";
import type { Session } from "../../src/client/session.js";
import { layout } from "../../src/engine/common/paths.js";
import { openTraceReader } from "../../src/engine/common/trace/queries.js";
import type { SpanRecord } from "../../src/engine/common/trace/span.js";
import { CellDbTokenStore } from "../../src/engine/console/token-store.js";
import { type FullCloud, upFullCloud } from "./full-cloud.js";

// The whole cloud as `os cloud up` runs it (Keystone tokens, the fake driver on two nodes, tracing on):
// policy with real roles, another project's server, remote console tokens, and the provisioning flow as
// spans across the nova processes.

let cloud: FullCloud;
let member: Session;
let reader: Session;
let stranger: Session;
let imageId: string;
const PW = "pw-for-tests-1";

beforeAll(async () => {
  cloud = await upFullCloud();
  const id = new IdentityApi(cloud.admin);
  const roles = await id.list("roles");
  const role = (name: string) => String(roles.find((r) => r.name === name)?.id);
  const grant = async (user: string, project: string, roleName: string) =>
    cloud.admin.request("identity", "PUT", `/projects/${project}/users/${user}/roles/${role(roleName)}`);
  const demo = await id.create("projects", { name: "demo", domain_id: "default" });
  const other = await id.create("projects", { name: "other", domain_id: "default" });
  for (const [name, project, r] of [
    ["demo-member", demo, "member"],
    ["demo-reader", demo, "reader"],
    ["other-member", other, "member"],
  ] as const) {
    const u = await id.create("users", { name, password: PW, domain_id: "default" });
    await grant(String(u.id), String(project.id), r);
  }
  member = cloud.as("demo-member", PW, "demo");
  reader = cloud.as("demo-reader", PW, "demo");
  stranger = cloud.as("other-member", PW, "other");
  const images = await cloud.admin.request("image", "GET", "/v2/images", { query: { name: "cirros" } });
  imageId = images.body.images[0].id;
}, 180_000);

afterAll(async () => {
  await cloud?.close();
}, 60_000);

const createBody = (name: string) => ({ server: { name, imageRef: imageId, flavorRef: "1", networks: "none" } });

async function waitStatus(s: Session, id: string, want: string, timeoutMs = 30_000): Promise<any> {
  const until = Date.now() + timeoutMs;
  let last: any;
  while (Date.now() < until) {
    const r = await s.request("compute", "GET", `/servers/${id}`, { microversion: "2.79" }).catch((e) => ({ body: { error: String(e) } }));
    last = r.body.server ?? r.body;
    if (last?.status === want || last?.status === "ERROR") return last;
    await new Promise((res) => setTimeout(res, 150));
  }
  throw new Error(`server ${id} not ${want}: ${JSON.stringify(last)}`);
}

async function status(p: Promise<unknown>): Promise<{ status: number; body: any }> {
  try {
    const r = (await p) as { status: number; body: any };
    return r;
  } catch (err) {
    const e = err as { status?: number; body?: unknown; message: string };
    return { status: e.status ?? 0, body: e.body ?? e.message };
  }
}

let serverId = "";
let createRequestId = "";

describe("nova in the whole cloud, with Keystone", () => {
  it("a reader of the project cannot create a server (403 forbidden)", async () => {
    const r = await status(reader.request("compute", "POST", "/servers", { body: createBody("nope"), microversion: "2.79" }));
    expect(r.status).toBe(403);
    expect(JSON.stringify(r.body)).toContain("Policy doesn't allow os_compute_api:servers:create to be performed.");
  });

  it("a member creates one; the project's reader sees it; another project gets 404", async () => {
    const r = await member.request("compute", "POST", "/servers", { body: createBody("vm1"), microversion: "2.79" });
    expect(r.status).toBe(202);
    serverId = r.body.server.id;
    createRequestId = String(r.headers["x-openstack-request-id"]);
    expect(createRequestId).toMatch(/^req-/);
    const s = await waitStatus(member, serverId, "ACTIVE");
    expect(s.status).toBe("ACTIVE");
    expect((await reader.request("compute", "GET", `/servers/${serverId}`)).status).toBe(200);
    const other = await status(stranger.request("compute", "GET", `/servers/${serverId}`));
    expect(other.status).toBe(404);
    expect(JSON.stringify(other.body)).toContain(`Instance ${serverId} could not be found.`);
    const del = await status(stranger.request("compute", "DELETE", `/servers/${serverId}`));
    expect(del.status).toBe(404);
    const list = await stranger.request("compute", "GET", "/servers/detail");
    expect(list.body.servers).toEqual([]);
  }, 60_000);

  it("hands out a noVNC URL whose token the console proxy accepts", async () => {
    const r = await member.request("compute", "POST", `/servers/${serverId}/remote-consoles`, {
      body: { remote_console: { protocol: "vnc", type: "novnc" } },
      microversion: "2.6",
    });
    expect(r.status).toBe(200);
    const port = cloud.sets.find((x) => x.startsWith("vnc.novncproxy_port="))?.split("=")[1];
    const m = new RegExp(`^http://127\\.0\\.0\\.1:${port}/vnc_lite\\.html\\?path=%3Ftoken%3D([0-9a-f-]{36})$`).exec(
      r.body.remote_console.url,
    );
    expect(r.body.remote_console).toMatchObject({ protocol: "vnc", type: "novnc" });
    expect(m, r.body.remote_console.url).not.toBeNull();
    const token = m?.[1] ?? "";
    // cell1's console_auth_tokens holds only the token's SHA-256, with the console's host/port and an expiry.
    const dbFile = layout(cloud.dir).db("nova");
    const db = new Database(dbFile, { readonly: true });
    const row = db.prepare("SELECT * FROM console_auth_tokens WHERE instance_uuid = ?").get(serverId) as Record<string, any>;
    db.close();
    expect(row.token_hash).toBe(createHash("sha256").update(token).digest("hex"));
    expect(row.console_type).toBe("novnc");
    expect(row.host).toBe("127.0.0.1");
    expect(row.port).toBeGreaterThan(0);
    expect(row.expires).toBeGreaterThan(Date.now() / 1000 + 500);
    const store = new CellDbTokenStore(dbFile);
    expect(store.validate(token)).toMatchObject({ instance_uuid: serverId, console_type: "novnc", port: row.port });
    expect(store.validate("not-a-token")).toBeNull();
    store.close();
    // The proxy serves noVNC's page (or at least answers) on that port.
    const page = await fetch(`http://127.0.0.1:${port}/vnc_lite.html`);
    expect(page.status).toBeLessThan(500);

    // The legacy action answers the same kind of URL before 2.6, and is gone from 2.6 on.
    const legacy = await member.request("compute", "POST", `/servers/${serverId}/action`, {
      body: { "os-getVNCConsole": { type: "novnc" } },
      microversion: "2.1",
    });
    expect(legacy.status).toBe(200);
    expect(legacy.body.console.type).toBe("novnc");
    expect(legacy.body.console.url).toMatch(/\/vnc_lite\.html\?path=%3Ftoken%3D[0-9a-f-]{36}$/);
    const gone = await status(
      member.request("compute", "POST", `/servers/${serverId}/action`, {
        body: { "os-getVNCConsole": { type: "novnc" } },
        microversion: "2.6",
      }),
    );
    expect(gone.status).toBe(404);
    const bad = await status(
      member.request("compute", "POST", `/servers/${serverId}/remote-consoles`, {
        body: { remote_console: { protocol: "vnc", type: "serial" } },
        microversion: "2.6",
      }),
    );
    expect(bad.status).toBe(400);
    const readerConsole = await status(
      reader.request("compute", "POST", `/servers/${serverId}/remote-consoles`, {
        body: { remote_console: { protocol: "vnc", type: "novnc" } },
        microversion: "2.6",
      }),
    );
    expect(readerConsole.status).toBe(403);
  }, 30_000);

  it("traces every step of the provisioning flow across the nova processes, with parent links", async () => {
    const steps = [
      "ServersController.create",
      "compute_api.create",
      "_provision_instances",
      "schedule_and_build_instances",
      "select_destinations",
      "build_and_run_instance",
      "_do_build_and_run_instance",
      "_build_resources",
      "spawn",
    ];
    const named = (spans: SpanRecord[], step: string) => spans.filter((s) => s.name === step || s.name.endsWith(`.${step}`));
    let spans: SpanRecord[] = [];
    const until = Date.now() + 20_000;
    while (Date.now() < until) {
      try {
        const reader = openTraceReader(layout(cloud.dir).db("trace"));
        spans = reader.findSpans(createRequestId);
        reader.close();
      } catch {
        spans = [];
      }
      if (steps.every((s) => named(spans, s).length > 0)) break;
      await new Promise((res) => setTimeout(res, 300));
    }
    for (const step of steps)
      expect(named(spans, step).length, `span ${step} (have: ${[...new Set(spans.map((s) => s.name))].join(", ")})`).toBeGreaterThan(0);
    const byId = new Map(spans.map((s) => [s.span_id, s]));
    // One trace, one root (the API's wsgi span); every other span's parent is in the trace.
    const roots = spans.filter((s) => !s.parent_id || !byId.has(s.parent_id));
    const show = roots.map((s) => `${s.trace_id.slice(0, 6)} ${s.service} ${s.kind} ${s.name} parent=${s.parent_id}`).join("\n");
    expect(new Set(spans.map((s) => s.trace_id)).size, show).toBe(1);
    expect(roots, show).toHaveLength(1);
    // Four processes: nova-api (service "nova", as its paste app), the conductor, the scheduler, a compute.
    const first = (step: string) => named(spans, step).at(-1) as SpanRecord;
    expect(first("ServersController.create").service).toBe("nova");
    expect(named(spans, "schedule_and_build_instances").map((s) => s.service)).toContain("nova-conductor");
    expect(named(spans, "select_destinations").map((s) => s.service)).toContain("nova-scheduler");
    expect(first("spawn").service).toMatch(/^nova-compute@compute[12]$/);
    const pids = ["ServersController.create", "select_destinations", "spawn"].map((s) => first(s).pid);
    pids.push(named(spans, "schedule_and_build_instances").find((s) => s.service === "nova-conductor")?.pid ?? 0);
    expect(new Set(pids).size).toBe(4);
    // Each step descends from the one that caused it (the chain of the seed's diagram).
    const causedBy: Array<[string, string]> = [
      ["compute_api.create", "ServersController.create"],
      ["_provision_instances", "compute_api.create"],
      ["schedule_and_build_instances", "compute_api.create"],
      ["select_destinations", "schedule_and_build_instances"],
      ["build_and_run_instance", "schedule_and_build_instances"],
      ["_do_build_and_run_instance", "build_and_run_instance"],
      ["_build_resources", "_do_build_and_run_instance"],
      ["spawn", "_do_build_and_run_instance"],
    ];
    const ancestors = (s: SpanRecord) => {
      const out: string[] = [];
      for (let p = s.parent_id ? byId.get(s.parent_id) : undefined; p; p = p.parent_id ? byId.get(p.parent_id) : undefined)
        out.push(p.name);
      return out;
    };
    for (const [step, cause] of causedBy) {
      const ok = named(spans, step).some((s) => ancestors(s).some((a) => a === cause || a.endsWith(`.${cause}`)));
      expect(ok, `${step} descends from ${cause}`).toBe(true);
    }
    // Nova's calls to Glance and Placement join the same trace (traceparent over HTTP).
    expect(spans.map((s) => s.service)).toEqual(expect.arrayContaining(["glance", "placement"]));
  }, 30_000);
});
