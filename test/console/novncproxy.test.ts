// nova-novncproxy: token check and the websocket → VNC bridge to a real QEMU's VNC server. The QEMU here
// runs with -S (CPUs never start) and no disk: its VNC server answers at once and it costs no CPU.
import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { rmSync } from "node:fs";
import type { Server } from "node:http";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { migrate, openDatabase } from "../../src/engine/common/db/database.js";
import { NOVA_CELL_MIGRATIONS } from "../../src/engine/compute/db/cell-migrations.js";
import { createConsoleProxy } from "../../src/engine/console/proxy.js";
import { CellDbTokenStore, tokenHash } from "../../src/engine/console/token-store.js";
import { freeVncPort, portIsFree } from "../../src/hypervisor/qemu/ports.js";
import { hasCommand, tmp, waitFor } from "../hypervisor/qemu/helpers.js";

const hasQemu = hasCommand("qemu-system-x86_64");
if (!hasQemu) console.warn("SKIPPED novncproxy bridge test: qemu-system-x86_64 not installed");

/** First websocket frame after the upgrade, or the HTTP status of a refused upgrade. */
function firstFrame(url: string, origin?: string): Promise<{ frame?: string; status?: number; protocol?: string }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, ["binary"], origin ? { origin } : {});
    const t = setTimeout(() => reject(new Error("no frame within 10 s")), 10_000);
    ws.on("message", (d: Buffer) => {
      clearTimeout(t);
      resolve({ frame: d.toString("latin1"), protocol: ws.protocol });
      ws.close();
    });
    ws.on("unexpected-response", (_req, res) => {
      clearTimeout(t);
      resolve({ status: res.statusCode });
      ws.terminate();
    });
    ws.on("error", (e) => {
      clearTimeout(t);
      reject(e);
    });
  });
}

describe.skipIf(!hasQemu)("nova-novncproxy bridges a console token to a guest's VNC (skipped without qemu-system-x86_64)", () => {
  let dir: string;
  let qemu: ChildProcess;
  let proxy: Server;
  let base: string;
  let store: CellDbTokenStore;
  const good = randomBytes(16).toString("hex");
  const expired = randomBytes(16).toString("hex");

  beforeAll(async () => {
    dir = tmp("ps-novnc-");
    const vncPort = await freeVncPort(new Set());
    qemu = spawn(
      "qemu-system-x86_64",
      ["-S", "-nodefaults", "-no-user-config", "-display", "none", "-vga", "std", "-m", "32", "-vnc", `127.0.0.1:${vncPort - 5900}`],
      { stdio: "ignore" },
    );
    // the cell database as nova-api writes it: console_auth_tokens rows keyed by the token's SHA-256
    const dbFile = join(dir, "nova.sqlite");
    const db = openDatabase(dbFile);
    migrate(db, NOVA_CELL_MIGRATIONS);
    const insert = db.prepare(
      "INSERT INTO console_auth_tokens (token_hash, console_type, host, port, internal_access_path, instance_uuid, access_url_base, expires, created_at) VALUES (?, 'novnc', '127.0.0.1', ?, NULL, 'inst-1', 'http://127.0.0.1:6080/vnc_lite.html', ?, ?)",
    );
    const now = Math.floor(Date.now() / 1000);
    insert.run(tokenHash(good), vncPort, now + 600, new Date().toISOString());
    insert.run(tokenHash(expired), vncPort, now - 1, new Date().toISOString());
    db.close();
    store = new CellDbTokenStore(dbFile);
    proxy = createConsoleProxy({ tokens: store, webRoot: "/usr/share/novnc" });
    await new Promise<void>((r) => proxy.listen(0, "127.0.0.1", () => r()));
    base = `127.0.0.1:${(proxy.address() as { port: number }).port}`;
    // QEMU's VNC server listens a moment after start
    await waitFor("QEMU's VNC port to listen", async () => !(await portIsFree(vncPort)), 15_000, 100);
  }, 30_000);

  afterAll(() => {
    if (qemu?.pid) qemu.kill("SIGKILL"); // our own child, by its pid
    proxy?.close();
    store?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("a valid token gets the guest's RFB greeting as the first binary frame", async () => {
    const r = await waitFor(
      "the RFB greeting",
      () => firstFrame(`ws://${base}/websockify?token=${good}`).catch(() => undefined),
      15_000,
      200,
    );
    expect(r.frame).toBe("RFB 003.008\n");
    expect(r.protocol).toBe("binary");
  });

  it("accepts the token from a cookie, as noVNC pages send it", async () => {
    const r = await new Promise<string>((resolve, reject) => {
      const ws = new WebSocket(`ws://${base}/websockify`, ["binary"], { headers: { cookie: `token=${good}` } });
      ws.on("message", (d: Buffer) => {
        resolve(d.toString("latin1"));
        ws.close();
      });
      ws.on("unexpected-response", (_q, res) => reject(new Error(`HTTP ${res.statusCode}`)));
      ws.on("error", reject);
    });
    expect(r).toBe("RFB 003.008\n");
  });

  it("refuses an unknown token, an expired token, no token, and a foreign Origin with 403", async () => {
    expect((await firstFrame(`ws://${base}/websockify?token=${randomBytes(16).toString("hex")}`)).status).toBe(403);
    expect((await firstFrame(`ws://${base}/websockify?token=${expired}`)).status).toBe(403);
    expect((await firstFrame(`ws://${base}/websockify`)).status).toBe(403);
    expect((await firstFrame(`ws://${base}/websockify?token=${good}`, "http://evil.example")).status).toBe(403);
  });

  it("serves noVNC's page when the novnc package is installed, and no file outside it", async () => {
    const page = await fetch(`http://${base}/vnc_lite.html`);
    if (hasCommand("dpkg") && (await import("node:fs")).existsSync("/usr/share/novnc/vnc_lite.html")) {
      expect(page.status).toBe(200);
      expect(await page.text()).toContain("noVNC");
    }
    expect((await fetch(`http://${base}/..%2f..%2fetc%2fpasswd`)).status).toBe(404);
  });
});
