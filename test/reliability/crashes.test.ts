import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Cloud, alive, req, sleep, upCloud, waitFor } from "./cloud.js";

// kill -9 pieces of a running cloud, then the whole cloud, and check what a user relies on: the
// supervisor brings units back, calls time out instead of hanging, acknowledged writes survive.
const RPC_TIMEOUT_S = 8; // small, but not so small that a loaded 2-core CI machine trips it in normal work
const MV = { "openstack-api-version": "compute 2.79", "x-openstack-nova-api-version": "2.79" };

let cloud: Cloud;
let token = "";
let imageId = "";

beforeAll(async () => {
  cloud = await upCloud(
    "crashes",
    [`DEFAULT.rpc_response_timeout=${RPC_TIMEOUT_S}`, "compute.report_interval=1", "DEFAULT.service_down_time=6"],
    1,
  );
  token = await cloud.adminToken();
  imageId = (await req("GET", `${cloud.urls.image}/v2/images?name=cirros`, { token })).body.images[0].id;
  const project = (await req("GET", `${cloud.urls.identity}/projects?name=admin`, { token })).body.projects[0].id;
  await req("PUT", `${cloud.urls.compute}/os-quota-sets/${project}`, { token, body: { quota_set: { instances: -1, cores: -1, ram: -1 } } });
}, 240_000);

afterAll(async () => {
  await cloud?.down();
}, 120_000);

const unit = (name: string) => cloud.units().find((u) => u.name === name) as { name: string; pid: number; state: string; restarts: number };

/** A create whose 202 is an acknowledgement; a refused or dropped connection while nova-api is down is not. */
async function tryCreate(name: string): Promise<string | undefined> {
  try {
    const r = await req("POST", `${cloud.urls.compute}/servers`, {
      token,
      headers: MV,
      body: { server: { name, imageRef: imageId, flavorRef: "1", networks: "none" } },
      timeoutMs: 60_000,
    });
    return r.status === 202 ? r.body.server.id : undefined;
  } catch {
    return undefined;
  }
}

async function status(id: string): Promise<{ status: string; fault?: { message: string } } | undefined> {
  try {
    const r = await req("GET", `${cloud.urls.compute}/servers/${id}`, { token, headers: MV });
    return r.status === 200 ? r.body.server : undefined;
  } catch {
    return undefined;
  }
}

/** Project creates in a loop until stopped; the ids Keystone acknowledged (201). */
function keystoneWriter() {
  const acked: string[] = [];
  let stop = false;
  const done = (async () => {
    for (let i = 0; !stop; i++) {
      try {
        const r = await req("POST", `${cloud.urls.identity}/projects`, {
          token,
          body: { project: { name: `w-${Date.now()}-${i}`, domain_id: "default" } },
        });
        if (r.status === 201) acked.push(r.body.project.id);
      } catch {
        // refused while down: not acknowledged, nothing to check
      }
      await sleep(20);
    }
  })();
  return {
    acked,
    async stop() {
      stop = true;
      await done;
    },
  };
}

describe("crashes", () => {
  it("kill -9 of the conductor, scheduler, placement, nova-api and the bus under load: restarted, nothing stuck in BUILD, no acknowledged write lost", async () => {
    const writer = keystoneWriter();
    const servers: string[] = [];
    for (const name of ["nova-conductor", "nova-scheduler", "placement", "nova-api", "bus-cell1"]) {
      const before = unit(name);
      expect(before.state, name).toBe("running");
      const load = Promise.all(Array.from({ length: 3 }, (_, i) => tryCreate(`${name}-${i}`)));
      await sleep(100);
      process.kill(before.pid, "SIGKILL");
      servers.push(...((await load).filter(Boolean) as string[]));
      const after = await waitFor(
        `${name} restarted`,
        async () => {
          const u = unit(name);
          return u.state === "running" && u.pid !== before.pid && u.restarts > before.restarts && alive(u.pid) ? u : undefined;
        },
        30_000,
      );
      expect(after.restarts).toBe(before.restarts + 1);
      expect(alive(before.pid)).toBe(false);
    }
    await writer.stop();

    // The cloud works again: a fresh server goes ACTIVE (retrying while units finish reconnecting).
    const fresh = await waitFor(
      "a new server to go ACTIVE",
      async () => {
        const id = await tryCreate("after-the-storm");
        if (!id) return undefined;
        const s = await waitFor("build", async () => ((await status(id))?.status !== "BUILD" ? status(id) : undefined), 60_000, 500);
        return s?.status === "ACTIVE" ? s : undefined;
      },
      120_000,
      1000,
    );
    expect(fresh.status).toBe("ACTIVE");

    // Every acknowledged create ends ACTIVE or ERROR with a fault; none hangs in BUILD.
    expect(servers.length).toBeGreaterThan(0);
    for (const id of servers) {
      const s = await waitFor(
        `server ${id} out of BUILD`,
        async () => {
          const got = await status(id);
          return got && got.status !== "BUILD" ? got : undefined;
        },
        90_000,
        500,
      );
      expect(["ACTIVE", "ERROR"]).toContain(s.status);
      if (s.status === "ERROR") expect(s.fault?.message ?? "").not.toBe("");
    }

    // Every project Keystone acknowledged is there.
    expect(writer.acked.length).toBeGreaterThan(10);
    for (const id of writer.acked) expect((await req("GET", `${cloud.urls.identity}/projects/${id}`, { token })).status, id).toBe(200);
  }, 300_000);

  it("an in-flight call to a compute that stopped answering fails with a clear MessagingTimeout, not a hang", async () => {
    const id = (await tryCreate("console")) as string;
    await waitFor("ACTIVE", async () => ((await status(id))?.status === "ACTIVE" ? true : undefined), 60_000, 500);
    const compute = unit("nova-compute@compute1");
    const action = () =>
      req("POST", `${cloud.urls.compute}/servers/${id}/action`, {
        token,
        body: { "os-getConsoleOutput": { length: 5 } },
        timeoutMs: 60_000,
      });
    process.kill(compute.pid, "SIGSTOP");
    try {
      const t0 = Date.now();
      const r = await action();
      const took = (Date.now() - t0) / 1000;
      expect(r.status).toBe(500);
      expect(r.body.computeFault.message).toContain("oslo_messaging.exceptions.MessagingTimeout");
      expect(took).toBeGreaterThanOrEqual(RPC_TIMEOUT_S - 0.5);
      expect(took).toBeLessThan(RPC_TIMEOUT_S + 10);
    } finally {
      process.kill(compute.pid, "SIGCONT");
    }
    const again = await action();
    expect(again.status, again.text).toBe(200);
    expect(typeof again.body.output).toBe("string");
  }, 120_000);

  it("kill -9 of the whole cloud during 1,000 writes: it comes back, every database passes integrity_check, every acknowledged object is there", async () => {
    const TOTAL = 1000;
    const projects: string[] = [];
    const images: string[] = [];
    let issued = 0;
    let killed = false;
    const worker = async (w: number) => {
      while (issued < TOTAL && !killed) {
        const i = issued++;
        try {
          if (i % 2 === 0) {
            const r = await req("POST", `${cloud.urls.identity}/projects`, {
              token,
              body: { project: { name: `crash-${w}-${i}`, domain_id: "default" } },
              timeoutMs: 10_000,
            });
            if (r.status === 201) projects.push(r.body.project.id);
          } else {
            const r = await req("POST", `${cloud.urls.image}/v2/images`, {
              token,
              body: { name: `crash-${w}-${i}`, disk_format: "raw", container_format: "bare" },
              timeoutMs: 10_000,
            });
            if (r.status === 201) images.push(r.body.id);
          }
        } catch {
          // the cloud died under this request: not acknowledged
        }
      }
    };
    const workers = Promise.all(Array.from({ length: 8 }, (_, w) => worker(w)));
    await waitFor("some writes acknowledged", async () => (projects.length + images.length >= 200 ? true : undefined), 120_000, 20);
    // The supervisor first (so it restarts nothing), then every unit, all at once.
    const pids = [cloud.supervisorPid(), ...cloud.units().map((u) => u.pid)].filter((p): p is number => typeof p === "number" && p > 0);
    for (const pid of pids) {
      try {
        process.kill(pid, "SIGKILL");
      } catch {
        // already gone
      }
    }
    killed = true;
    await workers;
    await waitFor("every process of the cloud gone", async () => (pids.every((p) => !alive(p)) ? true : undefined), 10_000, 100);
    expect(projects.length + images.length).toBeLessThan(TOTAL);

    const up = await cloud.up();
    const why = () => {
      const logs = join(cloud.dir, "logs");
      return readdirSync(logs)
        .map((f) => `--- ${f}\n${readFileSync(join(logs, f), "utf8").split("\n").slice(-15).join("\n")}`)
        .join("\n");
    };
    expect(up.code, `${up.stdout}${up.stderr}\n${up.code ? why() : ""}`).toBe(0);

    const dbDir = join(cloud.dir, "db");
    const files = readdirSync(dbDir).filter((f) => f.endsWith(".sqlite"));
    expect(files).toEqual(
      expect.arrayContaining(["keystone.sqlite", "glance.sqlite", "placement.sqlite", "nova_api.sqlite", "nova.sqlite"]),
    );
    for (const f of files) {
      const db = new Database(join(dbDir, f));
      try {
        expect(db.pragma("integrity_check", { simple: true }), f).toBe("ok");
      } finally {
        db.close();
      }
    }

    token = await cloud.adminToken();
    for (const id of projects)
      expect((await req("GET", `${cloud.urls.identity}/projects/${id}`, { token })).status, `project ${id}`).toBe(200);
    for (const id of images) expect((await req("GET", `${cloud.urls.image}/v2/images/${id}`, { token })).status, `image ${id}`).toBe(200);
  }, 300_000);
});
