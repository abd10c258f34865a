// End to end with real guests: `os cloud up --driver qemu`, then what a user does through the API and the
// clients — boot a CirrOS-like guest with a keypair, read its console, ssh into it, open its browser
// console, drive its power states, kill its QEMU behind Nova's back, restart the compute, delete it.
// Needs a build (`npm run build`; `npm test` does it), qemu-system-x86_64, qemu-img, genisoimage, ssh;
// the browser part needs chromium and noVNC (Debian `novnc`). Timings under TCG depend on the host's
// load: the test waits generously and never asserts how fast a guest boots.
import { createHash } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { hasCommand } from "../hypervisor/qemu/helpers.js";
import { CHROMIUM, screenshot } from "./chromium.js";
import { type QemuCloud, hasOpenstackClient, instanceDir, qemuPidsUnder, upQemuCloud, waitFor } from "./cloud.js";
import { colourHistogram, decodePng } from "./png.js";

const HAVE_QEMU = hasCommand("qemu-system-x86_64");
/** [compute] sync_power_state_interval for this cloud, in seconds (Nova's default is 600). */
const SYNC_INTERVAL_S = 5;
/** A TCG boot takes 7–30 s on a busy 2-core host; allow far more, never assert speed. */
const BOOT_WAIT_MS = 200_000;

interface Server {
  id: string;
  status: string;
  "OS-EXT-STS:task_state": string | null;
  "OS-EXT-STS:power_state": number;
}

describe.skipIf(!HAVE_QEMU)("real QEMU guests through Nova (skipped: qemu-system-x86_64 is not installed)", () => {
  let cloud: QemuCloud;
  let serverId = "";
  let fingerprint = "";
  let guestPid = 0;

  const server = async (): Promise<Server> => (await cloud.compute<{ server: Server }>("GET", `/servers/${serverId}`)).server;
  const action = (body: Record<string, unknown>) => cloud.compute("POST", `/servers/${serverId}/action`, body);
  const consoleLog = async (): Promise<string> =>
    (await cloud.compute<{ output: string }>("POST", `/servers/${serverId}/action`, { "os-getConsoleOutput": {} })).output;
  // one `<hostname> login:` prompt per boot (the next boot's output may follow on the same line)
  const logins = (log: string) => (log.match(/\blogin:/g) ?? []).length;
  /** status with no task in flight */
  const settledAt = (status: string, timeoutMs: number) =>
    waitFor(`server ${status}`, timeoutMs, async () => {
      const s = await server();
      return s.status === status && s["OS-EXT-STS:task_state"] === null ? s : undefined;
    });
  const waitLogins = (n: number) =>
    waitFor(
      `login prompt #${n} on the serial console`,
      BOOT_WAIT_MS,
      async () => {
        const log = await consoleLog();
        return logins(log) >= n ? log : undefined;
      },
      2000,
    );
  const instancePid = () => {
    const pidFile = join(instanceDir(cloud.dir, serverId), "qemu.pid");
    return existsSync(pidFile) ? Number(readFileSync(pidFile, "utf8").trim()) : 0;
  };

  beforeAll(async () => {
    cloud = await upQemuCloud([`compute.sync_power_state_interval=${SYNC_INTERVAL_S}`]);
  }, 300_000);

  afterAll(async () => {
    await cloud?.down();
  }, 90_000);

  it("creates a keypair and boots a server from the cirros image: --wait ends ACTIVE", async () => {
    const kp = await cloud.os(["keypair", "create", "--private-key", join(cloud.dir, "e2e-key.pem"), "e2e-key", "-f", "json"]);
    expect(kp.code, kp.stderr).toBe(0);
    fingerprint = JSON.parse(kp.stdout).fingerprint;
    expect(fingerprint).toMatch(/^([0-9a-f]{2}:){15}[0-9a-f]{2}$/);

    const args = [
      "server",
      "create",
      "--flavor",
      "m1.tiny",
      "--image",
      "cirros",
      "--key-name",
      "e2e-key",
      "--wait",
      "vm-e2e",
      "-f",
      "json",
    ];
    const created = hasOpenstackClient() ? await cloud.openstack(args) : await cloud.os(args, 300_000);
    expect(created.code, created.stderr).toBe(0);
    const shown = JSON.parse(created.stdout);
    expect(shown.status).toBe("ACTIVE");
    expect(shown["OS-EXT-STS:power_state"]).toBe(1);
    serverId = shown.id;
    guestPid = instancePid();
    expect(qemuPidsUnder(cloud.dir)).toEqual([guestPid]);
  }, 320_000);

  it(
    "the console log shows the config drive's hostname, the key's fingerprint and login:",
    async () => {
      await waitLogins(1);
      const shown = hasOpenstackClient()
        ? await cloud.openstack(["console", "log", "show", "vm-e2e"])
        : await cloud.os(["console", "log", "show", "vm-e2e"]);
      expect(shown.code, shown.stderr).toBe(0);
      expect(shown.stdout).toContain("local-hostname: vm-e2e");
      expect(shown.stdout).toContain(`instance-id: ${serverId}`);
      expect(shown.stdout).toContain(`authorized key 'e2e-key' ssh-rsa fingerprint md5 ${fingerprint}`);
      expect(shown.stdout).toMatch(/vm-e2e login:/);
      // escape codes of the BIOS and boot loader are stripped, as `console log show` should be readable
      expect(shown.stdout).not.toContain("\u001b");
    },
    BOOT_WAIT_MS + 30_000,
  );

  it("os server ssh runs `hostname` in the guest with the keypair's private key", async () => {
    // sshd starts a moment after the prompt on a slow host: retry a few times
    const r = await waitFor(
      "ssh into the guest",
      60_000,
      async () => {
        const res = await cloud.os(["server", "ssh", "--identity", join(cloud.dir, "e2e-key.pem"), "vm-e2e", "--", "hostname"], 60_000);
        return res.code === 0 ? res : undefined;
      },
      3000,
    );
    expect(r.stdout.trim()).toBe("vm-e2e");
    // without --identity the key is found by the server's key_name (./e2e-key.pem here); the remote
    // command's exit status is the command's
    const failed = await cloud.os(["server", "ssh", "vm-e2e", "--", "exit 7"], 60_000);
    expect(failed.code).toBe(7);
  }, 150_000);

  it("the noVNC console opens in headless Chromium and shows the guest; an expired token is refused", async () => {
    // not a skip: the browser console is part of what this test promises
    expect(CHROMIUM, "chromium is not installed (apt-get install -y --no-install-recommends chromium)").toBeTruthy();
    expect(existsSync("/usr/share/novnc/vnc_lite.html"), "noVNC is not installed (apt-get install -y --no-install-recommends novnc)").toBe(
      true,
    );
    const r = hasOpenstackClient()
      ? await cloud.openstack(["console", "url", "show", "--novnc", "vm-e2e", "-f", "json"])
      : await cloud.os(["console", "url", "show", "--novnc", "vm-e2e", "-f", "json"]);
    expect(r.code, r.stderr).toBe(0);
    const url = new URL(JSON.parse(r.stdout).url);
    const token = new URLSearchParams(url.searchParams.get("path")?.replace(/^[^?]*\?/, "") ?? "").get("token") ?? "";
    expect(token).toMatch(/^[0-9a-f-]{36}$/);

    // noVNC's top bar says "Connected to <desktop name>" once the RFB handshake through the proxy is done
    const statusText = "document.getElementById('status')?.textContent ?? ''";
    const shot = await screenshot(url.href, cloud.dir, `(${statusText}).startsWith('Connected')`, { stateOf: statusText });
    // kept for a human to look at when the pixel checks fail
    writeFileSync(join(tmpdir(), "pocketstack-e2e-novnc.png"), shot.png);
    expect(shot.state).toMatch(/^Connected to QEMU \(instance-[0-9a-f]{8}\)$/);
    const colours = colourHistogram(decodePng(shot.png));
    // the guest's VGA text console: a black screen with grey text (`vm-e2e login:` among it)
    const black = colours.get("0,0,0") ?? 0;
    const text = colours.get("168,168,168") ?? 0;
    expect(black, "black pixels of the guest's screen").toBeGreaterThan(100_000);
    expect(text, "grey text pixels on the guest's screen").toBeGreaterThan(1_000);
    expect(colours.size).toBeGreaterThan(20);
    expect(await consoleLog()).toContain("login:");

    // the same token, expired: the proxy refuses the websocket before the upgrade
    const cell = new Database(join(cloud.dir, "db", "nova.sqlite"));
    try {
      const hash = createHash("sha256").update(token).digest("hex");
      const changed = cell
        .prepare("UPDATE console_auth_tokens SET expires = ? WHERE token_hash = ?")
        .run(Math.floor(Date.now() / 1000) - 1, hash);
      expect(changed.changes).toBe(1);
    } finally {
      cell.close();
    }
    const wsUrl = `ws://${url.host}/?token=${token}`;
    const status = await new Promise<number>((resolve, reject) => {
      const ws = new WebSocket(wsUrl, ["binary"]);
      ws.on("unexpected-response", (_req, res) => {
        resolve(res.statusCode ?? 0);
        ws.terminate();
      });
      ws.on("open", () => {
        ws.close();
        reject(new Error("the proxy accepted an expired token"));
      });
      ws.on("error", () => {});
    });
    expect(status).toBe(403);
    // and the browser gets no screen: noVNC reports the closed connection
    const refused = await screenshot(url.href, cloud.dir, `!(${statusText}).startsWith('Connecting') && (${statusText}) !== 'Loading'`, {
      waitMs: 30_000,
      stateOf: statusText,
    });
    expect(refused.state).not.toMatch(/^Connected/);
    expect(colourHistogram(decodePng(refused.png)).get("0,0,0") ?? 0, "no guest screen behind an expired token").toBeLessThan(1_000);
  }, 200_000);

  it("a restarted nova-compute keeps the guest running and re-attaches to its monitor", async () => {
    const status = async () =>
      JSON.parse((await cloud.os(["cloud", "status", "-f", "json"])).stdout) as Array<{ Service: string; PID: number; State: string }>;
    const before = (await status()).find((u) => u.Service === "nova-compute@compute1");
    expect(before?.State).toBe("running");
    process.kill(before?.PID as number, "SIGTERM");
    await waitFor(
      "nova-compute to be restarted by the supervisor",
      90_000,
      async () => {
        const now = (await status()).find((u) => u.Service === "nova-compute@compute1");
        return now && now.PID !== before?.PID && now.State === "running" ? now : undefined;
      },
      2000,
    );
    expect(instancePid()).toBe(guestPid);
    expect(qemuPidsUnder(cloud.dir)).toEqual([guestPid]);
    // the new worker answers for the guest over QMP: pause and unpause go through it
    await waitFor(
      "pause accepted by the restarted compute",
      60_000,
      async () => {
        await action({ pause: null });
        return true;
      },
      2000,
    );
    expect((await settledAt("PAUSED", 60_000))["OS-EXT-STS:power_state"]).toBe(3);
    await action({ unpause: null });
    expect((await settledAt("ACTIVE", 60_000))["OS-EXT-STS:power_state"]).toBe(1);
  }, 240_000);

  it("stop → SHUTOFF (QEMU gone), start → ACTIVE, soft reboot, pause/unpause", async () => {
    await action({ "os-stop": null });
    const stopped = await settledAt("SHUTOFF", 120_000);
    expect(stopped["OS-EXT-STS:power_state"]).toBe(4);
    expect(qemuPidsUnder(cloud.dir)).toEqual([]);
    const noSsh = await cloud.os(["server", "ssh", "vm-e2e", "--", "hostname"]);
    expect(noSsh.code).not.toBe(0);
    expect(noSsh.stderr).toMatch(/vm_state stopped/);

    await action({ "os-start": null });
    expect((await settledAt("ACTIVE", 120_000))["OS-EXT-STS:power_state"]).toBe(1);
    guestPid = instancePid();
    expect(qemuPidsUnder(cloud.dir)).toEqual([guestPid]);
    // the guest boots again from the same disk (logappend keeps the first boot's lines)
    await waitLogins(2);

    // the API sets task_state `rebooting` before it answers, so ACTIVE with no task means the reboot is done
    await action({ reboot: { type: "SOFT" } });
    expect((await settledAt("ACTIVE", 180_000))["OS-EXT-STS:power_state"]).toBe(1);
    const log = await waitLogins(3);
    expect(log).toMatch(/boot count 2|boot count 3/);
    guestPid = instancePid();

    await action({ pause: null });
    expect((await settledAt("PAUSED", 60_000))["OS-EXT-STS:power_state"]).toBe(3);
    await action({ unpause: null });
    expect((await settledAt("ACTIVE", 60_000))["OS-EXT-STS:power_state"]).toBe(1);
  }, 400_000);

  it("killing the guest's QEMU by its pid makes the instance SHUTOFF within the power-sync interval", async () => {
    const pid = instancePid();
    expect(qemuPidsUnder(cloud.dir)).toEqual([pid]);
    const t0 = Date.now();
    process.kill(pid, "SIGKILL");
    // whether or not the sync has run yet, nobody answers on the guest's ssh port any more: 409
    const ssh = await cloud.session
      .request("compute", "GET", `/servers/${serverId}/os-ssh-endpoint`)
      .catch((err: { status: number }) => err);
    expect((ssh as { status: number }).status).toBe(409);
    // one interval for the next sync tick, plus the stop path and our own polling
    await settledAt("SHUTOFF", (SYNC_INTERVAL_S * 2 + 15) * 1000);
    const elapsed = (Date.now() - t0) / 1000;
    process.stderr.write(`[e2e-qemu] killed QEMU ${pid}: SHUTOFF after ${elapsed.toFixed(1)} s (sync interval ${SYNC_INTERVAL_S} s)\n`);
    expect(elapsed).toBeLessThan(SYNC_INTERVAL_S * 2 + 15);
    expect((await server())["OS-EXT-STS:power_state"]).toBe(4);
  }, 60_000);

  it("delete leaves no QEMU process and no instance files", async () => {
    await action({ "os-start": null });
    await settledAt("ACTIVE", 120_000);
    expect(qemuPidsUnder(cloud.dir).length).toBe(1);
    await cloud.compute("DELETE", `/servers/${serverId}`);
    await waitFor("the server to be gone", 120_000, async () => {
      try {
        await server();
        return undefined;
      } catch (err) {
        return (err as { status?: number }).status === 404 ? true : undefined;
      }
    });
    expect(qemuPidsUnder(cloud.dir)).toEqual([]);
    expect(existsSync(instanceDir(cloud.dir, serverId))).toBe(false);
  }, 260_000);
});
