import { type ChildProcess, execFile, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort } from "../helpers/ports.js";
import { entryArgv } from "../helpers/runtime.js";

// Two placement-api processes on ONE database, and 8 client processes racing to claim: only the
// generation checks and SQLite's write lock stand between them and an over-allocated provider.
const ROOT = resolve(import.meta.dirname, "../..");
const WORKER = join(import.meta.dirname, "claim-worker.mjs");
let dir: string;
const apis: ChildProcess[] = [];
const urls: string[] = [];

async function startApi(): Promise<string> {
  const port = await freePort();
  const child = spawn(process.execPath, entryArgv("src/engine/placement/main.ts"), {
    cwd: ROOT,
    env: {
      ...process.env,
      POCKETSTACK_HOME: dir,
      POCKETSTACK_SET: `api.placement_port=${port};api.auth_strategy=noauth2;trace.enabled=false;DEFAULT.my_ip=127.0.0.1`,
    },
    stdio: ["ignore", "ignore", "pipe"],
  });
  apis.push(child);
  let err = "";
  child.stderr?.on("data", (d) => (err += d));
  const url = `http://127.0.0.1:${port}`;
  for (const deadline = Date.now() + 30_000; Date.now() < deadline; ) {
    if (child.exitCode !== null) throw new Error(`placement exited: ${err}`);
    try {
      if ((await fetch(`${url}/`)).status === 200) return url;
    } catch {}
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`placement did not start: ${err}`);
}

const api = async (method: string, path: string, body?: unknown) => {
  const res = await fetch(`${urls[0]}${path}`, {
    method,
    headers: {
      "x-auth-token": "admin",
      "openstack-api-version": "placement 1.39",
      ...(body ? { "content-type": "application/json" } : {}),
    },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
};

function claimer(rp: string, count: number): Promise<{ statuses: number[]; consumers: string[] }> {
  return new Promise((done, fail) => {
    execFile(process.execPath, [WORKER, urls.join(","), rp, String(count)], { timeout: 60_000 }, (err, stdout, stderr) => {
      if (err) fail(new Error(`claimer failed: ${err.message}\n${stderr}`));
      else done(JSON.parse(stdout));
    });
  });
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "placement-race8-"));
  urls.push(await startApi());
  urls.push(await startApi());
}, 90_000);

afterAll(async () => {
  for (const c of apis) if (c.pid && c.exitCode === null) process.kill(c.pid, "SIGTERM");
  await Promise.all(apis.map((c) => (c.exitCode === null ? new Promise((r) => c.once("exit", r)) : undefined)));
  rmSync(dir, { recursive: true, force: true });
});

describe("8 processes racing for one provider", () => {
  it("lets exactly 100 of 400 claims through a provider with room for 100, and usages add up", async () => {
    const rp = (await api("POST", "/resource_providers", { name: "contended" })).body.uuid as string;
    // (total - reserved) * ratio = (60 - 10) * 2 = 100 VCPU of capacity.
    const inv = await api("PUT", `/resource_providers/${rp}/inventories`, {
      resource_provider_generation: 0,
      inventories: { VCPU: { total: 60, reserved: 10, allocation_ratio: 2.0 } },
    });
    expect(inv.status).toBe(200);

    const results = await Promise.all(Array.from({ length: 8 }, () => claimer(rp, 50)));
    const statuses = results.flatMap((r) => r.statuses);
    expect(statuses).toHaveLength(400);
    expect(statuses.filter((s) => s === 204)).toHaveLength(100);
    expect(statuses.filter((s) => s === 409)).toHaveLength(300);

    const usages = await api("GET", `/resource_providers/${rp}/usages`);
    const allocations = await api("GET", `/resource_providers/${rp}/allocations`);
    const consumers = Object.keys(allocations.body.allocations);
    const sum = Object.values(allocations.body.allocations as Record<string, { resources: { VCPU: number } }>).reduce(
      (n, a) => n + a.resources.VCPU,
      0,
    );
    expect(usages.body.usages.VCPU).toBe(100);
    expect(sum).toBe(100);
    // The consumers placement holds are exactly the ones that were told 204.
    expect(consumers.sort()).toEqual(results.flatMap((r) => r.consumers).sort());
    const project = await api("GET", "/usages?project_id=race-project");
    // From 1.38 project usages are grouped by consumer type, with a consumer count.
    expect(project.body.usages).toEqual({ INSTANCE: { consumer_count: 100, VCPU: 100 } });
  }, 120_000);
});
