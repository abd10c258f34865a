import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Session } from "../../client/session.js";
import { cloudDown, cloudUp } from "../../engine/cloud/control.js";
import { isolatedPortSettings } from "../../engine/common/free-ports.js";

// A whole pocketstack cloud for the Nova rows, as `os cloud up --driver fake` runs it: Keystone tokens,
// the paste pipelines, every service its own process. Its own state dir and free ports, so a bench never
// touches the user's cloud; tracing off, so the rows time Nova and not the span exporter.

export interface NovaBenchCloud {
  /** The cloud's state directory (clouds.yaml, run/supervisor.json, logs/). */
  dir: string;
  /** The admin's session (token, catalog) for the other APIs (Placement, Keystone). */
  session: Session;
  /** The cirros image `os cloud up` uploaded. */
  imageId: string;
  /** JSON request to nova-api with the admin's token (keep-alive connections, no client-side retries). */
  compute(method: string, path: string, body?: unknown): Promise<{ status: number; body: any }>;
  /** Poll a server until its status is `want` (ERROR throws). */
  waitStatus(id: string, want: string, timeoutMs?: number, pollMs?: number): Promise<void>;
  /** Poll the server list until `count` servers are ACTIVE (ERROR throws). */
  waitAllActive(count: number, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

export async function startNovaBenchCloud(extra: string[] = []): Promise<NovaBenchCloud> {
  const dir = mkdtempSync(join(tmpdir(), "pocketstack-bench-nova-"));
  const sets = [
    ...(await isolatedPortSettings()),
    "trace.enabled=false",
    "compute.compute_driver=fake",
    "compute.computes=2",
    "compute.fake_boot_time_ms=0",
    "quota.instances=-1",
    "quota.cores=-1",
    "quota.ram=-1",
    ...extra,
  ];
  const stop = async () => {
    await cloudDown(dir).catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await cloudUp(dir, { overrides: sets, timeoutMs: 180_000 });
    const session = Session.fromEnvironment({ stateDir: dir, cloud: "pocketstack", env: {}, cache: false });
    const token = await session.token();
    const base = (await session.endpointFor("compute")).replace(/\/+$/, "");
    const images = await session.request<{ images: Array<{ id: string }> }>("image", "GET", "/v2/images", { query: { name: "cirros" } });
    const imageId = images.body.images[0]?.id;
    if (!imageId) throw new Error("the bench cloud has no cirros image");
    const headers = { "x-auth-token": token, accept: "application/json", "openstack-api-version": "compute 2.79" };
    const call: NovaBenchCloud["compute"] = async (method, path, body) => {
      const res = await fetch(base + path, {
        method,
        headers: body === undefined ? headers : { ...headers, "content-type": "application/json" },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await res.text();
      return { status: res.status, body: text ? JSON.parse(text) : undefined };
    };
    const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
    return {
      dir,
      session,
      imageId,
      compute: call,
      async waitStatus(id, want, timeoutMs = 30_000, pollMs = 2) {
        const until = performance.now() + timeoutMs;
        for (;;) {
          const r = await call("GET", `/servers/${id}`);
          const status = r.body?.server?.status;
          if (status === want) return;
          if (status === "ERROR") throw new Error(`server ${id} went to ERROR: ${JSON.stringify(r.body.server.fault)}`);
          if (performance.now() > until) throw new Error(`server ${id} not ${want} after ${timeoutMs} ms (status ${status})`);
          await sleep(pollMs);
        }
      },
      async waitAllActive(count, timeoutMs = 600_000) {
        const until = performance.now() + timeoutMs;
        for (;;) {
          const r = await call("GET", "/servers?status=ERROR&limit=1");
          if (r.body?.servers?.length) {
            const s = await call("GET", `/servers/${r.body.servers[0].id}`);
            throw new Error(`server ${r.body.servers[0].id} went to ERROR: ${JSON.stringify(s.body?.server?.fault)}`);
          }
          const a = await call("GET", `/servers?status=ACTIVE&limit=${count}`);
          if ((a.body?.servers?.length ?? 0) >= count) return;
          if (performance.now() > until)
            throw new Error(`only ${a.body?.servers?.length} of ${count} servers ACTIVE after ${timeoutMs} ms`);
          await sleep(20);
        }
      },
      close: stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}

/** A server create body as `openstack server create --flavor m1.tiny --image cirros` sends it (2.79). */
export function createBody(cloud: NovaBenchCloud, name: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { server: { name, imageRef: cloud.imageId, flavorRef: "1", networks: "none", ...extra } };
}

/** Print a row's verdict against an absolute target (the harness compares to floors only). */
export function verdict(name: string, what: string, value: number, limit: number): void {
  process.stderr.write(`${value <= limit ? "ok  " : "MISS"} ${name}: ${what} ${value.toFixed(1)} <= ${limit}\n`);
}
