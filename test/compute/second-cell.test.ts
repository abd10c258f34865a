import { type ChildProcess, execFile, spawn } from "node:child_process";
import { join, resolve } from "node:path";
import { createInterface } from "node:readline";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort } from "../helpers/ports.js";
import { cliArgv, entryArgv } from "../helpers/runtime.js";
import { type Cloud, startCloud, waitComputesUp } from "./helpers.js";

// Cells v2 with a second real cell: `os manage cell_v2 create_cell` (its own bus and database), a second
// broker, a conductor for that cell (`--cell cell2`) and a compute whose transport_url is cell2's bus.
// With cell1's only compute disabled, a server lands in cell2 and lives its life there.

const root = resolve(import.meta.dirname, "../..");
const ADMIN = "admin:admin";
const USER = "erin:proj5";
let cloud: Cloud;
let cell2Bus = "";
const extra: ChildProcess[] = [];

function run(file: string, args: string[], env: Record<string, string>): Promise<void> {
  const child = spawn(process.execPath, entryArgv(file, ...args), {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  extra.push(child);
  let err = "";
  child.stderr?.on("data", (d) => {
    err += d;
  });
  return new Promise((res, rej) => {
    const timer = setTimeout(() => rej(new Error(`${file} not ready; stderr:\n${err}`)), 30_000);
    createInterface({ input: child.stdout! }).on("line", (l) => {
      if (l.includes('"ready":true')) {
        clearTimeout(timer);
        res();
      }
    });
    child.once("exit", (code) => rej(new Error(`${file} exited with ${code}; stderr:\n${err}`)));
  });
}

function osCli(args: string[], env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((res) => {
    execFile(process.execPath, cliArgv(...args), { cwd: root, env: { ...process.env, ...env }, timeout: 60_000 }, (err, stdout, stderr) =>
      res({ code: err ? (typeof err.code === "number" ? err.code : 1) : 0, stdout, stderr }),
    );
  });
}

const admin = (method: string, path: string, body?: unknown, mv = "2.79") => cloud.req(ADMIN, method, path, body, mv);

beforeAll(async () => {
  cloud = await startCloud({ computes: ["compute1"] });
  await waitComputesUp(cloud, 1);
  cell2Bus = `zmq://127.0.0.1:${await freePort()}`;
  const created = await osCli(
    [
      "manage",
      "cell_v2",
      "create_cell",
      "--name",
      "cell2",
      "--transport-url",
      cell2Bus,
      "--database-connection",
      "sqlite:///nova_cell2.sqlite",
      "--state-dir",
      cloud.dir,
    ],
    cloud.env,
  );
  if (created.code !== 0) throw new Error(`create_cell failed (${created.code}): ${created.stderr}`);
  // cell2's own bus, its conductor, and a compute node configured with cell2's transport_url.
  await run("src/engine/common/rpc/broker-main.ts", ["--url", cell2Bus], cloud.env);
  await run("src/engine/compute/conductor/main.ts", ["--cell", "cell2"], cloud.env);
  const computeEnv = { ...cloud.env, POCKETSTACK_SET: `${cloud.env.POCKETSTACK_SET};DEFAULT.transport_url=${cell2Bus}` };
  await run("src/engine/compute/manager/main.ts", ["--host", "compute9", "--driver", "fake", "--state-dir", cloud.dir], computeEnv);
  await waitComputesUp(cloud, 2);
}, 150_000);

afterAll(async () => {
  for (const c of extra) if (c.exitCode === null && c.signalCode === null) c.kill("SIGKILL");
  await cloud?.close();
});

describe("a second real cell", () => {
  it("lists cell2 with its own bus, and maps its compute there", async () => {
    const list = await osCli(["manage", "cell_v2", "list_cells", "--state-dir", cloud.dir], cloud.env);
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(/cell2/);
    expect(list.stdout).toContain(cell2Bus);
    const svcs = await admin("GET", "/os-services?binary=nova-compute");
    expect(svcs.body.services.map((s: any) => [s.host, s.state]).sort()).toEqual([
      ["compute1", "up"],
      ["compute9", "up"],
    ]);
    // cell2's conductor registered and heartbeats in cell2's own database.
    const db = new Database(join(cloud.dir, "db", "nova_cell2.sqlite"), { readonly: true });
    const binaries = (
      db.prepare("SELECT binary, host FROM services WHERE deleted = 0").all() as Array<{ binary: string; host: string }>
    ).map((r) => `${r.binary}@${r.host}`);
    db.close();
    expect(binaries).toEqual(expect.arrayContaining(["nova-conductor@controller", "nova-compute@compute9"]));
  });

  it("builds a server in cell2 when cell1 has no enabled compute, and acts on it over cell2's bus", async () => {
    const c1 = (await admin("GET", "/os-services?binary=nova-compute&host=compute1")).body.services[0];
    expect(
      (await admin("PUT", `/os-services/${c1.id}`, { status: "disabled", disabled_reason: "test: push builds to cell2" })).status,
    ).toBe(200);

    const r = await cloud.req(
      USER,
      "POST",
      "/servers",
      { server: { name: "in-cell2", imageRef: cloud.imageId, flavorRef: "1", networks: "none" } },
      "2.79",
    );
    expect(r.status).toBe(202);
    const id = r.body.server.id;
    const s = await cloud.waitFor(USER, id, (x) => x.status === "ACTIVE" || x.status === "ERROR", 30_000);
    expect(s.status).toBe("ACTIVE");
    expect((await admin("GET", `/servers/${id}`)).body.server["OS-EXT-SRV-ATTR:host"]).toBe("compute9");

    // The instance row is in cell2's database only; the API's instance mapping points at cell2.
    const cell2 = new Database(join(cloud.dir, "db", "nova_cell2.sqlite"), { readonly: true });
    expect(cell2.prepare("SELECT host, vm_state FROM instances WHERE uuid = ?").get(id)).toEqual({ host: "compute9", vm_state: "active" });
    cell2.close();
    const cell1 = new Database(join(cloud.dir, "db", "nova.sqlite"), { readonly: true });
    expect(cell1.prepare("SELECT COUNT(*) AS n FROM instances WHERE uuid = ?").get(id)).toEqual({ n: 0 });
    cell1.close();
    const api = new Database(join(cloud.dir, "db", "nova_api.sqlite"), { readonly: true });
    expect(
      api.prepare("SELECT c.name FROM instance_mappings m JOIN cell_mappings c ON c.id = m.cell_id WHERE m.instance_uuid = ?").get(id),
    ).toEqual({ name: "cell2" });
    api.close();

    // Actions go over cell2's bus to compute9 and its saves through cell2's conductor.
    expect((await cloud.req(USER, "POST", `/servers/${id}/action`, { "os-stop": null })).status).toBe(202);
    await cloud.waitFor(USER, id, (x) => x.status === "SHUTOFF" && x["OS-EXT-STS:task_state"] === null, 20_000);
    const out = await cloud.req(USER, "POST", `/servers/${id}/action`, { "os-start": null });
    expect(out.status).toBe(202);
    await cloud.waitFor(USER, id, (x) => x.status === "ACTIVE" && x["OS-EXT-STS:task_state"] === null, 20_000);
    const actions = await cloud.req(USER, "GET", `/servers/${id}/os-instance-actions`, undefined, "2.79");
    expect(actions.body.instanceActions.map((a: any) => a.action)).toEqual(expect.arrayContaining(["create", "stop", "start"]));

    expect((await cloud.req(USER, "DELETE", `/servers/${id}`)).status).toBe(204);
    await cloud.waitFor(USER, id, (x) => x.status === "HTTP 404", 20_000);
  }, 90_000);
});
