import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";

/** Whether we run from dist/ (compiled .js) or from src/ under tsx (.ts): peers are spawned alike. */
const ext = import.meta.url.endsWith(".ts") ? ".ts" : ".js";
const execArgv = ext === ".ts" ? ["--import", "tsx"] : [];

export interface Peer {
  child: ChildProcess;
  /** The first JSON line the peer printed (its address). */
  ready: Record<string, unknown>;
  stop(): Promise<void>;
}

/**
 * Start another process of the bench (or of the engine), given its path relative to the source root
 * without extension ("bench/peers/zmq-echo"), and wait for its first JSON line on stdout.
 */
export function spawnPeer(module: string, args: string[] = [], timeoutMs = 20_000): Promise<Peer> {
  const file = fileURLToPath(new URL(`../${module}${ext}`, import.meta.url));
  const home = mkdtempSync(join(tmpdir(), "pocketstack-bench-"));
  const child = spawn(process.execPath, [...execArgv, file, ...args], {
    stdio: ["ignore", "pipe", "inherit"],
    // Tracing off: the rows measure the bus and the pipeline, not the span exporter.
    env: { ...process.env, POCKETSTACK_HOME: home, POCKETSTACK_SET: "trace.enabled=false" },
  });
  const stop = () =>
    new Promise<void>((resolve) => {
      const done = () => {
        rmSync(home, { recursive: true, force: true });
        resolve();
      };
      if (child.exitCode !== null || child.signalCode !== null) return done();
      child.once("exit", done);
      child.kill("SIGKILL");
    });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      void stop();
      reject(new Error(`${module} did not start within ${timeoutMs} ms`));
    }, timeoutMs);
    child.once("exit", (code) => reject(new Error(`${module} exited (${code}) before it was ready`)));
    const rl = createInterface({ input: child.stdout! });
    rl.once("line", (line) => {
      clearTimeout(timer);
      rl.close();
      try {
        resolve({ child, ready: JSON.parse(line), stop });
      } catch {
        void stop();
        reject(new Error(`${module} printed '${line}' instead of its ready line`));
      }
    });
  });
}
