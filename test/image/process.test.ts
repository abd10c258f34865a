import { type ChildProcess, fork } from "node:child_process";
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { entryFork } from "../helpers/runtime.js";
import { client, patternStream, streamDownload, streamUpload } from "./helpers.js";

let child: ChildProcess;
let base = "";
const home = mkdtempSync(join(tmpdir(), "glance-proc-"));

beforeAll(async () => {
  const { modulePath, execArgv } = entryFork("src/engine/image/main.ts");
  child = fork(modulePath, [], {
    execArgv,
    env: { ...process.env, POCKETSTACK_HOME: home, POCKETSTACK_SET: "api.glance_port=0;api.auth_strategy=noauth2;trace.enabled=false" },
    stdio: ["ignore", "ignore", "pipe", "ipc"],
  });
  // The service reports readiness (with its bound port) over the supervisor's IPC channel.
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("glance did not report ready within 20 s")), 20_000);
    child.on("message", (m: { type?: string; port?: number }) => {
      if (m.type === "ready" && m.port) {
        clearTimeout(timer);
        resolve(m.port);
      }
    });
    child.on("exit", (code) => reject(new Error(`glance exited early with ${code}`)));
  });
  base = `http://127.0.0.1:${port}`;
}, 30_000);

afterAll(async () => {
  if (child.exitCode === null) {
    const exited = new Promise((r) => child.once("exit", r));
    child.kill("SIGTERM");
    await exited;
  }
  rmSync(home, { recursive: true, force: true });
});

describe("glance-api process", () => {
  it("serves versions, migrates its database, stores uploads under the state dir's image store", async () => {
    expect((await fetch(`${base}/`)).status).toBe(300);
    const c = client(base, "demo:p1");
    const img = await c.create({ name: "proc" });
    expect((await streamUpload(`${base}/v2/images/${img.id}/file`, "demo:p1", patternStream(300_000))).status).toBe(204);
    const down = await streamDownload(`${base}/v2/images/${img.id}/file`, "demo:p1");
    expect(down.size).toBe(300_000);
    expect(statSync(join(home, "images", img.id)).size).toBe(300_000);
    expect(statSync(join(home, "db", "glance.sqlite")).isFile()).toBe(true);
    expect(statSync(join(home, "etc", "glance", "api-paste.ini")).isFile()).toBe(true);
  });
});
