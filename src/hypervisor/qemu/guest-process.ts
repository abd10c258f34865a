import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { execa } from "execa";
import type { DomainSpec } from "./domain.js";
import { formatArgv, qemuArgv } from "./qemu-argv.js";

export class QemuStartError extends Error {
  override name = "QemuStartError";
  constructor(
    message: string,
    readonly stderr: string,
  ) {
    super(message);
  }
}

/**
 * Start QEMU daemonised from a domain definition (libvirt's virDomainCreate → qemuProcessLaunch).
 * `-daemonize` returns once the monitor and the VNC/serial sockets exist, or fails with QEMU's own
 * message (a port taken, a bad disk). Returns the guest's pid from its pidfile.
 */
export async function launchQemu(d: DomainSpec, commandLineFile: string, opts: { incoming?: string } = {}): Promise<number> {
  rmSync(d.runtime.qmpSocket, { force: true });
  rmSync(d.runtime.pidFile, { force: true });
  const argv = qemuArgv(d, { daemonize: true, incoming: opts.incoming });
  writeFileSync(commandLineFile, `${formatArgv(d.emulator, argv)}\n`);
  const r = await execa(d.emulator, argv, { reject: false, stdin: "ignore", timeout: 60_000 });
  if (r.exitCode !== 0) {
    const msg = `${r.stderr || r.stdout}`.trim();
    throw new QemuStartError(`qemu-system-x86_64 exited ${r.exitCode ?? r.signal}: ${msg}`, msg);
  }
  const pid = readPid(d.runtime.pidFile);
  if (!pid) throw new QemuStartError(`qemu started but wrote no pidfile ${d.runtime.pidFile}`, "");
  return pid;
}

export function readPid(pidFile: string): number | undefined {
  if (!existsSync(pidFile)) return undefined;
  const n = Number(readFileSync(pidFile, "utf8").trim());
  return Number.isInteger(n) && n > 0 ? n : undefined;
}

/**
 * Is `pid` alive and still OUR guest? A pid can be reused after QEMU dies, so the process's command
 * line must name this guest's monitor socket. (Other QEMUs run on this machine: never kill by name.)
 */
export function isOurQemu(pid: number | undefined, qmpSocket: string): boolean {
  if (!pid) return false;
  try {
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, "utf8");
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const state = stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3);
    return state !== "Z" && cmdline.split("\0").some((arg) => arg.includes(qmpSocket));
  } catch {
    return false;
  }
}

/** Wait until the process is gone (true) or the timeout passes (false). */
export async function waitForExit(pid: number, qmpSocket: string, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (isOurQemu(pid, qmpSocket)) {
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 50));
  }
  return true;
}

/** SIGKILL our own guest by pid (last resort, when QMP `quit` did not end it). */
export function killOurQemu(pid: number | undefined, qmpSocket: string): void {
  if (pid && isOurQemu(pid, qmpSocket)) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      /* already gone */
    }
  }
}
