import { type ChildProcess, spawn } from "node:child_process";
import { join } from "node:path";
import { entryArgv } from "../helpers/runtime.js";
export { freePort } from "../helpers/ports.js";

export const repoRoot = join(import.meta.dirname, "..", "..");

export async function waitFor<T>(what: string, probe: () => T | undefined | false, timeoutMs = 10_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = probe();
    if (v) return v;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

export interface CollectorProcess {
  child: ChildProcess;
  stderr: () => string;
  stop(): Promise<number | null>;
}

/** Start collector-main.ts as its own process (as the supervisor would) and wait for its ready message. */
export async function spawnCollector(home: string, overrides: string[]): Promise<CollectorProcess> {
  const child = spawn(process.execPath, entryArgv("src/engine/common/trace/collector-main.ts"), {
    cwd: repoRoot,
    env: { ...process.env, POCKETSTACK_HOME: home, POCKETSTACK_SET: overrides.join(";") },
    stdio: ["ignore", "ignore", "pipe", "ipc"],
  });
  let err = "";
  child.stderr?.on("data", (c: Buffer) => {
    err += c.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`collector not ready after 20 s:\n${err}`)), 20_000);
    child.on("message", (m: { type?: string }) => {
      if (m?.type === "ready") {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`collector exited (${code}) before ready:\n${err}`));
    });
  });
  return {
    child,
    stderr: () => err,
    async stop() {
      if (child.exitCode === null && child.pid) process.kill(child.pid, "SIGTERM");
      const killer = setTimeout(() => child.pid && child.exitCode === null && process.kill(child.pid, "SIGKILL"), 5000);
      const code = await exited;
      clearTimeout(killer);
      return code;
    },
  };
}
