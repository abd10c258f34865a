import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { createInterface } from "node:readline";
import { loadConfig } from "../../src/engine/common/config/config.js";
import { closeAllDbs } from "../../src/engine/compute/db/open.js";
import { novaFirstStart } from "../../src/engine/compute/db/first-start.js";
import { freePort } from "../helpers/ports.js";
import { entryArgv } from "../helpers/runtime.js";

const root = resolve(import.meta.dirname, "../..");

interface Proc {
  name: string;
  child: ChildProcess;
  stderr: () => string;
  ready: Promise<void>;
}

function spawnEntry(name: string, file: string, args: string[], env: Record<string, string>, waitLine: boolean): Proc {
  const child = spawn(process.execPath, entryArgv(file, ...args), {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let err = "";
  child.stderr?.on("data", (d) => {
    err += d;
  });
  const ready = new Promise<void>((res, rej) => {
    if (!waitLine) return res();
    const timer = setTimeout(() => rej(new Error(`${name} did not become ready; stderr:\n${err}`)), 30_000);
    createInterface({ input: child.stdout! }).on("line", (l) => {
      if (l.includes('"ready":true')) {
        clearTimeout(timer);
        res();
      }
    });
    child.once("exit", (code) => rej(new Error(`${name} exited with ${code}; stderr:\n${err}`)));
  });
  if (!waitLine) child.stdout?.resume();
  return { name, child, stderr: () => err, ready };
}

async function waitHttp(url: string, proc: Proc, timeoutMs = 30_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (proc.child.exitCode !== null) throw new Error(`${proc.name} exited; stderr:\n${proc.stderr()}`);
    try {
      const r = await fetch(url);
      if (r.status < 500) return;
    } catch {}
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${proc.name} did not answer at ${url}; stderr:\n${proc.stderr()}`);
}

export interface Cloud {
  dir: string;
  /** The environment every process of this cloud runs with (POCKETSTACK_HOME, POCKETSTACK_SET). */
  env: Record<string, string>;
  nova: string;
  glance: string;
  placement: string;
  imageId: string;
  procs: Proc[];
  /** JSON request against nova-api as `user:project` (noauth2). */
  req(
    token: string,
    method: string,
    path: string,
    body?: unknown,
    microversion?: string,
  ): Promise<{ status: number; body: any; headers: Headers }>;
  waitFor(token: string, id: string, pred: (s: any) => boolean, timeoutMs?: number): Promise<any>;
  stopProc(name: string): Promise<void>;
  close(): Promise<void>;
}

/**
 * A small cloud of real processes on free ports (noauth2, no Keystone): the bus, Placement, Glance,
 * nova-scheduler, nova-conductor, nova-api and the compute workers named in `computes` (fake driver).
 */
export async function startCloud(opts: { computes?: string[]; overrides?: string[] } = {}): Promise<Cloud> {
  const dir = mkdtempSync(join(tmpdir(), "nova-test-"));
  const [bus, placementPort, glancePort, novaPort] = await Promise.all([freePort(), freePort(), freePort(), freePort()]);
  const sets = [
    `DEFAULT.transport_url=zmq://127.0.0.1:${bus}`,
    `api.auth_strategy=noauth2`,
    `api.placement_port=${placementPort}`,
    `api.glance_port=${glancePort}`,
    `api.compute_port=${novaPort}`,
    `trace.enabled=false`,
    `scheduler.discover_hosts_in_cells_interval=1`,
    `compute.report_interval=1`,
    `compute.update_resources_interval=1`,
    `DEFAULT.service_down_time=4`,
    `DEFAULT.rpc_response_timeout=10`,
    ...(opts.overrides ?? []),
  ];
  const env = { POCKETSTACK_HOME: dir, POCKETSTACK_SET: sets.join(";") };
  novaFirstStart(dir, loadConfig(undefined, sets));
  closeAllDbs();
  const procs: Proc[] = [];
  const add = (p: Proc) => {
    procs.push(p);
    return p;
  };
  const broker = add(spawnEntry("bus", "src/engine/common/rpc/broker-main.ts", ["--url", `zmq://127.0.0.1:${bus}`], env, true));
  const placement = add(spawnEntry("placement", "src/engine/placement/main.ts", [], env, false));
  const glance = add(spawnEntry("glance", "src/engine/image/main.ts", [], env, false));
  await broker.ready;
  const placementUrl = `http://127.0.0.1:${placementPort}`;
  const glanceUrl = `http://127.0.0.1:${glancePort}`;
  await Promise.all([waitHttp(placementUrl, placement), waitHttp(glanceUrl, glance)]);
  const sched = add(spawnEntry("nova-scheduler", "src/engine/compute/scheduler/main.ts", [], env, true));
  const cond = add(spawnEntry("nova-conductor", "src/engine/compute/conductor/main.ts", [], env, true));
  const api = add(spawnEntry("nova-api", "src/engine/compute/api/main.ts", [], env, true));
  await Promise.all([sched.ready, cond.ready, api.ready]);
  const computeEntry = "src/engine/compute/manager/main.ts";
  if (!existsSync(join(root, computeEntry))) throw new Error(`${computeEntry} is missing`);
  const computes = (opts.computes ?? ["compute1"]).map((h) =>
    add(spawnEntry(`compute:${h}`, computeEntry, ["--host", h, "--driver", "fake", "--state-dir", dir], env, true)),
  );
  await Promise.all(computes.map((c) => c.ready));

  // A public, active image in Glance (what `os cloud up` uploads as cirros).
  const gh = { "x-auth-token": "admin:admin", "content-type": "application/json" };
  const img = await (
    await fetch(`${glanceUrl}/v2/images`, {
      method: "POST",
      headers: gh,
      body: JSON.stringify({ name: "cirros", disk_format: "qcow2", container_format: "bare", visibility: "public" }),
    })
  ).json();
  const up = await fetch(`${glanceUrl}/v2/images/${img.id}/file`, {
    method: "PUT",
    headers: { "x-auth-token": "admin:admin", "content-type": "application/octet-stream" },
    body: Buffer.alloc(4096, 1),
  });
  if (up.status !== 204) throw new Error(`image upload answered ${up.status}`);

  const nova = `http://127.0.0.1:${novaPort}`;
  const cloud: Cloud = {
    dir,
    env,
    nova,
    glance: glanceUrl,
    placement: placementUrl,
    imageId: img.id,
    procs,
    async req(token, method, path, body, microversion) {
      const headers: Record<string, string> = { "x-auth-token": token, accept: "application/json" };
      if (microversion) headers["openstack-api-version"] = `compute ${microversion}`;
      if (body !== undefined) headers["content-type"] = "application/json";
      const r = await fetch(`${nova}/v2.1${path}`, {
        method,
        headers,
        body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
      });
      const text = await r.text();
      let parsed: unknown = text;
      try {
        parsed = text ? JSON.parse(text) : undefined;
      } catch {}
      return { status: r.status, body: parsed, headers: r.headers };
    },
    async waitFor(token, id, pred, timeoutMs = 15_000) {
      const until = Date.now() + timeoutMs;
      let last: any;
      while (Date.now() < until) {
        const r = await cloud.req(token, "GET", `/servers/${id}`, undefined, "2.79");
        last = r.status === 200 ? r.body.server : { status: `HTTP ${r.status}` };
        if (pred(last)) return last;
        await new Promise((res) => setTimeout(res, 100));
      }
      throw new Error(`server ${id} did not reach the expected state; last: ${JSON.stringify(last)}`);
    },
    async stopProc(name) {
      const p = procs.find((x) => x.name === name);
      if (!p || p.child.exitCode !== null || p.child.signalCode !== null) return;
      await new Promise<void>((res) => {
        p.child.once("exit", () => res());
        p.child.kill("SIGKILL");
      });
    },
    async close() {
      for (const p of [...procs].reverse()) await cloud.stopProc(p.name);
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return cloud;
}

/** Wait until nova-api lists `count` nova-compute services up (registered, heartbeating, discovered). */
export async function waitComputesUp(cloud: Cloud, count: number, timeoutMs = 20_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < until) {
    const r = await cloud.req("admin:admin", "GET", "/os-services?binary=nova-compute");
    last = r.body;
    const up = (r.body?.services ?? []).filter((s: any) => s.state === "up");
    const hv = await cloud.req("admin:admin", "GET", "/os-hypervisors");
    const mapped = await fetch(`${cloud.placement}/resource_providers`, { headers: { "x-auth-token": "admin:admin" } }).then((x) =>
      x.json(),
    );
    if (up.length >= count && (hv.body?.hypervisors ?? []).length >= count && (mapped.resource_providers ?? []).length >= count) {
      // Host discovery runs every second in the scheduler; give it a turn.
      await new Promise((res) => setTimeout(res, 1200));
      return;
    }
    await new Promise((res) => setTimeout(res, 200));
  }
  throw new Error(`computes did not come up: ${JSON.stringify(last)}`);
}
