import { type ChildProcess, spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { entryArgv } from "../helpers/runtime.js";
import { client } from "./helpers.js";

// Two real placement-api processes on ONE database file: only SQLite's BEGIN IMMEDIATE stands between
// their writers, as it would between two placement API workers.
let dir: string;
const children: ChildProcess[] = [];
const urls: string[] = [];

function startProcess(): Promise<string> {
  return new Promise((resolvePort, reject) => {
    const child = spawn(process.execPath, entryArgv("src/engine/placement/main.ts"), {
      env: { ...process.env, POCKETSTACK_HOME: dir },
      stdio: ["ignore", "ignore", "pipe", "ipc"],
    });
    children.push(child);
    let err = "";
    child.stderr?.on("data", (d) => (err += d));
    const timer = setTimeout(() => reject(new Error(`placement did not start: ${err}`)), 20_000);
    child.on("message", (m: { type?: string; port?: number }) => {
      if (m.type === "ready") {
        clearTimeout(timer);
        resolvePort(`http://127.0.0.1:${m.port}`);
      }
    });
    child.on("exit", (code) => reject(new Error(`placement exited ${code}: ${err}`)));
  });
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "placement-race-"));
  writeFileSync(join(dir, "pocketstack.conf"), "[api]\nplacement_port = 0\nauth_strategy = noauth2\n\n[trace]\nenabled = false\n");
  urls.push(await startProcess());
  urls.push(await startProcess());
}, 60_000);

afterAll(async () => {
  for (const c of children) if (c.pid && c.exitCode === null) process.kill(c.pid, "SIGTERM");
  await Promise.all(children.map((c) => (c.exitCode === null ? new Promise((r) => c.once("exit", r)) : undefined)));
  rmSync(dir, { recursive: true, force: true });
});

describe("concurrent allocation writers", () => {
  it("never over-allocate: exactly N of many parallel claims against capacity N succeed", async () => {
    const N = 10;
    const [a, b] = urls.map((u) => client(u, { version: "1.39" }));
    const rp = (await a!("POST", "/resource_providers", { name: "racy" })).body.uuid as string;
    const inv = await b!("PUT", `/resource_providers/${rp}/inventories`, {
      resource_provider_generation: 0,
      inventories: { VCPU: { total: N } },
    });
    expect(inv.status).toBe(200);

    const attempts = 40;
    const results = await Promise.all(
      Array.from({ length: attempts }, (_, i) =>
        (i % 2 ? a! : b!)("PUT", `/allocations/${randomUUID()}`, {
          allocations: { [rp]: { resources: { VCPU: 1 } } },
          project_id: "p",
          user_id: "u",
          consumer_generation: null,
          consumer_type: "INSTANCE",
        }),
      ),
    );
    const statuses = results.map((r) => r.status);
    expect(statuses.filter((s) => s === 204)).toHaveLength(N);
    expect(statuses.filter((s) => s === 409)).toHaveLength(attempts - N);
    for (const r of results.filter((x) => x.status === 409))
      expect(r.body.errors[0].detail).toMatch(/exceed the capacity|concurrently updated/);
    const usage = await a!("GET", `/resource_providers/${rp}/usages`);
    expect(usage.body.usages.VCPU).toBe(N);
    // Every successful claim moved the provider generation on: 1 (inventory) + N.
    expect(usage.body.resource_provider_generation).toBe(1 + N);
  });

  it("lets exactly one of many racing writers create the same consumer", async () => {
    const [a, b] = urls.map((u) => client(u, { version: "1.39" }));
    const rp = (await a!("POST", "/resource_providers", { name: "racy2" })).body.uuid as string;
    await a!("PUT", `/resource_providers/${rp}/inventories`, { resource_provider_generation: 0, inventories: { VCPU: { total: 100 } } });
    const consumer = randomUUID();
    const results = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        (i % 2 ? a! : b!)("PUT", `/allocations/${consumer}`, {
          allocations: { [rp]: { resources: { VCPU: 1 + i } } },
          project_id: "p",
          user_id: "u",
          consumer_generation: null,
          consumer_type: "INSTANCE",
        }),
      ),
    );
    expect(results.filter((r) => r.status === 204)).toHaveLength(1);
    for (const r of results.filter((x) => x.status !== 204)) {
      expect(r.status).toBe(409);
      expect(r.body.errors[0].code).toBe("placement.concurrent_update");
    }
    const got = await b!("GET", `/allocations/${consumer}`);
    expect(got.body.consumer_generation).toBe(1);
  });
});
