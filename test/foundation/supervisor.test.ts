import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { os } from "../helpers/cli.js";
import { isolatedPorts } from "../helpers/ports.js";

// The supervisor through the public CLI: up, status, no duplicates, restart after kill -9, down.
const dir = mkdtempSync(join(tmpdir(), "ps-sup-"));
let sets: string[] = [];
const withSets = (args: string[]) => [
  ...args,
  "--driver",
  "fake",
  "--computes",
  "1",
  "--state-dir",
  dir,
  ...sets.flatMap((s) => ["--set", s]),
];

interface Row {
  Service: string;
  PID: number | string;
  State: string;
  Restarts: number;
}
async function status(): Promise<Row[]> {
  const r = await os(["cloud", "status", "-f", "json", "--state-dir", dir]);
  expect(r.code).toBe(0);
  return JSON.parse(r.stdout) as Row[];
}
const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

beforeAll(async () => {
  sets = await isolatedPorts();
}, 10_000);

afterAll(async () => {
  await os(["cloud", "down", "--state-dir", dir]);
}, 60_000);

// A whole cloud starts here (eleven processes): generous time on a loaded 2-core machine.
describe("os cloud up / status / down", { timeout: 240_000 }, () => {
  let firstPids: Record<string, number> = {};

  it("brings every service up as its own process and lists it", async () => {
    const up = await os(withSets(["cloud", "up"]));
    expect(up.stderr).toBe("");
    expect(up.code).toBe(0);
    // cliff's layout: numeric columns (PID, Port, Restarts) are right-aligned, header included.
    expect(up.stdout).toMatch(/\| Service\s+\| Host\s+\|\s+PID \| State\s+\| Uptime\s+\|\s+Port \| Restarts \|/);
    const rows = await status();
    expect(rows.map((r) => r.Service)).toEqual(expect.arrayContaining(["bus-cell1", "trace-collector", "keystone"]));
    for (const r of rows) {
      expect(r.State).toBe("running");
      expect(alive(Number(r.PID))).toBe(true);
      expect(readFileSync(join(dir, "run", `${r.Service}.pid`), "utf8").trim()).toBe(String(r.PID));
      expect(existsSync(join(dir, "logs", `${r.Service}.log`))).toBe(true);
    }
    expect(new Set(rows.map((r) => r.PID)).size).toBe(rows.length);
    firstPids = Object.fromEntries(rows.map((r) => [r.Service, Number(r.PID)]));
  });

  it("a second up starts no duplicates", async () => {
    const again = await os(withSets(["cloud", "up"]));
    expect(again.code).toBe(0);
    expect(again.stderr).toMatch(/already running/);
    const rows = await status();
    expect(Object.fromEntries(rows.map((r) => [r.Service, Number(r.PID)]))).toEqual(firstPids);
  });

  it("restarts a service killed with SIGKILL and shows the crash", async () => {
    const victim = firstPids["bus-cell1"] as number;
    process.kill(victim, "SIGKILL");
    let bus: Row | undefined;
    for (let i = 0; i < 100; i++) {
      await sleep(200);
      bus = (await status()).find((r) => r.Service === "bus-cell1");
      if (bus?.State === "running" && Number(bus.PID) !== victim) break;
    }
    expect(bus?.State).toBe("running");
    expect(Number(bus?.PID)).not.toBe(victim);
    expect(bus?.Restarts).toBe(1);
    const logs = await os(["cloud", "logs", "bus-cell1", "--state-dir", dir]);
    expect(logs.stdout).toMatch(/process exited \(signal SIGKILL\); restarting in 1s/);
  });

  it("down stops exactly what it started", async () => {
    const pids = (await status()).map((r) => Number(r.PID));
    const down = await os(["cloud", "down", "--state-dir", dir]);
    expect(down.code).toBe(0);
    expect(down.stdout).toMatch(/stopped the cloud/);
    for (const pid of pids) expect(alive(pid)).toBe(false);
    const rows = await status();
    for (const r of rows) expect(r.State).toBe("stopped");
    const twice = await os(["cloud", "down", "--state-dir", dir]);
    expect(twice.stdout).toMatch(/no cloud is running/);
  });

  it("an unknown option in --set is one readable error line", async () => {
    const bad = await os(["cloud", "up", "--state-dir", dir, "--set", "api.nosuch=1"]);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr.trim()).toBe("override api.nosuch: unknown option 'nosuch' in section [api]");
  });
});
