// A whole pocketstack cloud with the qemu driver, brought up and down through the CLI as a user does,
// plus what the end-to-end test needs to look behind it (QEMU pids, instance directories).
import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Session } from "../../src/client/session.js";
import { type CliResult, RUN_JS, os } from "../helpers/cli.js";
import { isolatedPorts } from "../helpers/ports.js";

export interface QemuCloud {
  dir: string;
  session: Session;
  /** the `os` CLI against this cloud */
  os(args: string[], timeoutMs?: number): Promise<CliResult>;
  /** the real `openstack` client with this cloud's clouds.yaml */
  openstack(args: string[], timeoutMs?: number): Promise<CliResult>;
  /** GET/POST/DELETE on the compute API at a microversion */
  compute<T = unknown>(method: string, path: string, body?: unknown, microversion?: string): Promise<T>;
  down(): Promise<void>;
}

export const hasOpenstackClient = (): boolean =>
  existsSync("/usr/bin/openstack") || (process.env.PATH ?? "").split(":").some((d) => existsSync(join(d, "openstack")));

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv, cwd: string, timeoutMs: number): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(cmd, args, { env: { ...process.env, ...env }, cwd, timeout: timeoutMs }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === "number" ? err.code : 1) : 0, stdout, stderr });
    });
  });
}

/** `os cloud up --driver qemu --computes 1` in a temp state dir with every port isolated. */
export async function upQemuCloud(extraSets: string[] = []): Promise<QemuCloud> {
  const dir = mkdtempSync(join(tmpdir(), "pocketstack-e2e-qemu-"));
  const sets = [...(await isolatedPorts()), ...extraSets].flatMap((s) => ["--set", s]);
  const down = async () => {
    await os(["cloud", "down", "--state-dir", dir], {}, 60_000);
    // `cloud down` stops services, not guests (as stopping nova-compute leaves VMs running): end ours
    for (const pid of qemuPidsUnder(dir)) {
      try {
        process.kill(pid, "SIGKILL");
      } catch {
        /* gone */
      }
    }
    rmSync(dir, { recursive: true, force: true });
  };
  const up = await os(["cloud", "up", "--state-dir", dir, "--driver", "qemu", "--computes", "1", ...sets], {}, 300_000);
  if (up.code !== 0) {
    const logs = existsSync(join(dir, "logs")) ? readdirSync(join(dir, "logs")).join(", ") : "none";
    await down();
    throw new Error(`os cloud up failed (${up.code}): ${up.stderr.slice(-2000)} (logs: ${logs})`);
  }
  const session = Session.fromEnvironment({ stateDir: dir, cloud: "pocketstack", env: {}, cache: false });
  const clientEnv = { OS_CLIENT_CONFIG_FILE: join(dir, "clouds.yaml"), OS_CLOUD: "pocketstack" };
  return {
    dir,
    session,
    os: (args, timeoutMs = 120_000) => {
      // --state-dir goes before a `--` (what follows it is a remote command, e.g. of `server ssh`)
      const end = args.includes("--") ? args.indexOf("--") : args.length;
      return run(process.execPath, [RUN_JS, ...args.slice(0, end), "--state-dir", dir, ...args.slice(end)], {}, dir, timeoutMs);
    },
    openstack: (args, timeoutMs = 300_000) => run("openstack", args, clientEnv, dir, timeoutMs),
    async compute(method, path, body, microversion = "2.1") {
      return (await session.request("compute", method, path, { body, microversion })).body as T;
    },
    down,
  };
}

/** pids of QEMU processes whose command line names a file under `dir` (ours, never another's). */
export function qemuPidsUnder(dir: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const argv = readFileSync(`/proc/${entry}/cmdline`, "utf8").split("\0");
      if (argv[0]?.includes("qemu-system") && argv.some((a) => a.includes(dir))) pids.push(Number(entry));
    } catch {
      /* exited meanwhile */
    }
  }
  return pids;
}

export const instanceDir = (dir: string, uuid: string, host = "compute1") => join(dir, "compute", host, "instances", uuid);

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Poll `probe` until it returns a value (not undefined) or the time is up. */
export async function waitFor<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined>, everyMs = 1000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await probe();
      if (v !== undefined) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline)
      throw new Error(
        `timed out after ${timeoutMs / 1000} s waiting for ${what}${last ? ` (last error: ${(last as Error).message})` : ""}`,
      );
    await sleep(everyMs);
  }
}
