// Shared by the qemu.* bench rows: the guest image, one local cloud with the qemu driver (started once,
// stopped when the bench process exits), a bare QEMU boot of the same image (the floor), and watching a
// serial log for the login prompt. Boots take seconds under TCG: rows take a few samples, not thousands.
import { spawn, spawnSync } from "node:child_process";
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, readSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { execa } from "execa";
import { Session } from "../../client/session.js";
import { layout } from "../../engine/common/paths.js";
import { makeConfigDrive } from "../../hypervisor/qemu/config-drive.js";
import { ensureGuestImage } from "../../hypervisor/qemu/guest-image.js";
import type { Budget } from "../row.js";
import { isolatedPortSettings } from "../../engine/common/free-ports.js";

/** A boot is seconds long: one warm-up (page cache, image cache), then up to five timed boots. */
export const bootBudget = (b: Budget): Budget => ({ warmup: 1, maxSamples: 5, maxMs: Math.max(b.maxMs, 90_000) });

/** The flavor the pocketstack rows boot (m1.tiny), so the bare floor gets the same memory. */
export const FLAVOR = { ref: "1", memoryMiB: 512 };

const RUN_JS = fileURLToPath(new URL("../../../bin/run.js", import.meta.url));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let imagePromise: Promise<string> | undefined;
/** The CirrOS-like qcow2 `os cloud up` uploads as `cirros` (built once, then cached). */
export const guestImage = (): Promise<string> => (imagePromise ??= ensureGuestImage());

/** Does the last few KiB of a serial log show the login prompt? */
export function showsLogin(file: string): boolean {
  if (!existsSync(file)) return false;
  const size = statSync(file).size;
  const len = Math.min(size, 4096);
  const buf = Buffer.alloc(len);
  const fd = openSync(file, "r");
  try {
    readSync(fd, buf, 0, len, size - len);
  } finally {
    closeSync(fd);
  }
  return buf.toString("latin1").includes("login:");
}

/** Wait (polling every 50 ms) until the log shows `login:`; throws after `timeoutMs`. */
export async function waitForLogin(file: string, timeoutMs = 300_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!showsLogin(file)) {
    if (Date.now() > deadline) throw new Error(`no login: in ${file} after ${timeoutMs / 1000} s`);
    await sleep(50);
  }
}

/** CPU seconds (user + system) a process has used so far: TCG boots are CPU-bound, so this varies less with load than wall time. */
export function cpuSeconds(pid: number | undefined): number {
  if (!pid) return Number.NaN;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(f[11]) + Number(f[12])) / 100; // utime, stime in clock ticks (USER_HZ = 100)
  } catch {
    return Number.NaN;
  }
}

/** CPU seconds used so far by the cloud's service processes (the supervisor and its descendants, QEMU excluded). */
export function cloudCpuSeconds(dir: string): number {
  const root = Number(readFileSync(layout(dir).supervisorPid, "utf8").trim());
  const children = new Map<number, number[]>();
  const cpu = new Map<number, number>();
  for (const e of readdirSync("/proc")) {
    if (!/^\d+$/.test(e)) continue;
    try {
      const stat = readFileSync(`/proc/${e}/stat`, "utf8");
      if (stat.includes("(qemu-system")) continue;
      const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      const ppid = Number(f[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(e)]);
      cpu.set(Number(e), (Number(f[11]) + Number(f[12])) / 100);
    } catch {
      /* exited */
    }
  }
  let total = 0;
  const todo = [root];
  while (todo.length) {
    const pid = todo.pop() as number;
    total += cpu.get(pid) ?? 0;
    todo.push(...(children.get(pid) ?? []));
  }
  return total;
}

/** pids of QEMU processes whose command line names something under `dir` (only ours). */
export function qemuPidsUnder(dir: string): number[] {
  const pids: number[] = [];
  for (const e of readdirSync("/proc")) {
    if (!/^\d+$/.test(e)) continue;
    try {
      const argv = readFileSync(`/proc/${e}/cmdline`, "utf8").split("\0");
      if (argv[0]?.includes("qemu-system") && argv.some((a) => a.includes(dir))) pids.push(Number(e));
    } catch {
      /* exited */
    }
  }
  return pids;
}

/**
 * The floor: the same image booted by hand, as the notes' recommended command line does it (q35, TCG,
 * virtio disk + config drive, user networking, serial to a file), timed from spawn to `login:`.
 */
export async function bareBoot(workDir: string, image: string, n: number): Promise<{ ms: number; cpuS: number }> {
  const dir = join(workDir, `bare-${n}`);
  rmSync(dir, { recursive: true, force: true });
  spawnSync("mkdir", ["-p", dir]);
  const disk = join(dir, "disk");
  const log = join(dir, "console.log");
  await execa("qemu-img", ["create", "-q", "-f", "qcow2", "-b", image, "-F", "qcow2", disk, "1G"]);
  const uuid = `00000000-0000-4000-8000-${String(n).padStart(12, "0")}`;
  await makeConfigDrive(join(dir, "disk.config"), join(dir, "cfg"), {
    metaData: { uuid, name: `bare${n}`, hostname: `bare${n}.novalocal`, availability_zone: "nova", public_keys: {}, keys: [], meta: {} },
    userData: null,
    networkData: { links: [], networks: [], services: [] },
  });
  const argv = [
    ["-name", `bare${n}`, "-machine", "q35", "-accel", "tcg,tb-size=64", "-cpu", "max", "-smp", "1", "-m", String(FLAVOR.memoryMiB)],
    // a VNC server as the driver gives each guest (QEMU picks a free display from 50 up)
    ["-nodefaults", "-no-user-config", "-display", "none", "-vga", "std", "-vnc", "127.0.0.1:50,to=199", "-serial", `file:${log}`],
    ["-drive", `file=${disk},format=qcow2,if=none,id=d0,cache=writeback`, "-device", "virtio-blk-pci,drive=d0,bootindex=1"],
    ["-drive", `file=${join(dir, "disk.config")},format=raw,if=none,id=d1,readonly=on`, "-device", "virtio-blk-pci,drive=d1"],
    ["-netdev", "user,id=n0", "-device", "virtio-net-pci,netdev=n0,romfile="],
  ].flat();
  const t = performance.now();
  const child = spawn("qemu-system-x86_64", argv, { stdio: "ignore" });
  const exited = new Promise((r) => child.once("exit", r));
  try {
    await Promise.race([waitForLogin(log), exited.then(() => Promise.reject(new Error("bare qemu exited before login:")))]);
    return { ms: performance.now() - t, cpuS: cpuSeconds(child.pid) };
  } finally {
    if (child.exitCode === null) {
      child.kill("SIGKILL");
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  }
}

export interface BenchCloud {
  dir: string;
  session: Session;
  compute<T = unknown>(method: string, path: string, body?: unknown): Promise<T>;
  consoleLog(uuid: string): string;
  /** DELETE the server and wait until it and its QEMU are gone (untimed clean-up) */
  deleteServer(uuid: string): Promise<void>;
  /** the `cirros` image's id */
  cirros: string;
}

let cloudPromise: Promise<BenchCloud> | undefined;

/** `os cloud up --driver qemu --computes 1` on free ports, once per bench run; down when the process exits. */
export function benchCloud(): Promise<BenchCloud> {
  cloudPromise ??= (async () => {
    const dir = mkdtempSync(join(tmpdir(), "pocketstack-bench-qemu-"));
    process.on("exit", () => {
      spawnSync(process.execPath, [RUN_JS, "cloud", "down", "--state-dir", dir], { stdio: "ignore", timeout: 60_000 });
      for (const pid of qemuPidsUnder(dir)) {
        try {
          process.kill(pid, "SIGKILL");
        } catch {
          /* gone */
        }
      }
      rmSync(dir, { recursive: true, force: true });
    });
    // a signal ends the process without `exit` listeners: turn it into an exit so the cloud goes down
    for (const sig of ["SIGINT", "SIGTERM"] as const) process.once(sig, () => process.exit(130));
    const sets = (await isolatedPortSettings()).flatMap((s) => ["--set", s]);
    await guestImage();
    const up = await execa(process.execPath, [RUN_JS, "cloud", "up", "--state-dir", dir, "--driver", "qemu", "--computes", "1", ...sets], {
      reject: false,
      timeout: 300_000,
    });
    if (up.exitCode !== 0) throw new Error(`os cloud up failed: ${up.stderr.slice(-1000)}`);
    const session = Session.fromEnvironment({ stateDir: dir, cloud: "pocketstack", env: {}, cache: false });
    const call = async <T>(method: string, path: string, body?: unknown): Promise<T> =>
      (await session.request("compute", method, path, { body, microversion: "2.1" })).body as T;
    const images = await session.request<{ images: Array<{ id: string }> }>("image", "GET", "/v2/images", { query: { name: "cirros" } });
    const cirros = images.body.images[0]?.id;
    if (!cirros) throw new Error("the bench cloud has no cirros image");
    const logOf = (uuid: string) => join(dir, "compute", "compute1", "instances", uuid, "console.log");
    return {
      dir,
      session,
      compute: call,
      cirros,
      consoleLog: logOf,
      async deleteServer(uuid) {
        await call("DELETE", `/servers/${uuid}`);
        const deadline = Date.now() + 120_000;
        for (;;) {
          try {
            await call("GET", `/servers/${uuid}`);
          } catch (err) {
            if ((err as { status?: number }).status === 404) break;
            throw err;
          }
          if (Date.now() > deadline) throw new Error(`server ${uuid} was not deleted within 120 s`);
          await sleep(200);
        }
        while (qemuPidsUnder(join(dir, "compute", "compute1", "instances", uuid)).length) await sleep(100);
        // let the deletion's trailing writes (allocations, resource update) finish before the next create
        await sleep(1000);
      },
    };
  })();
  return cloudPromise;
}

/** POST /servers (m1.tiny, the given image); returns the new server's id. */
export async function createServer(c: BenchCloud, imageRef: string, name: string): Promise<string> {
  const r = await c.compute<{ server: { id: string } }>("POST", "/servers", { server: { name, imageRef, flavorRef: FLAVOR.ref } });
  return r.server.id;
}

/** Poll GET /servers/{id} every 50 ms until ACTIVE (ERROR throws). */
export async function waitActive(c: BenchCloud, uuid: string, timeoutMs = 300_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const s = (await c.compute<{ server: { status: string; fault?: { message: string } } }>("GET", `/servers/${uuid}`)).server;
    if (s.status === "ACTIVE") return;
    if (s.status === "ERROR") throw new Error(`server ${uuid} went to ERROR: ${s.fault?.message ?? "no fault"}`);
    if (Date.now() > deadline) throw new Error(`server ${uuid} not ACTIVE after ${timeoutMs / 1000} s (${s.status})`);
    await sleep(50);
  }
}

export const tempDir = (prefix: string) => mkdtempSync(join(tmpdir(), prefix));
