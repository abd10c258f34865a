import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CaStore } from "../../src/engine/common/tls/store.js";

export interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Run a program (openssl, openstack); never throws on a non-zero exit. */
export function run(
  file: string,
  args: string[],
  opts: { input?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {},
): Promise<Run> {
  return new Promise((resolve) => {
    const child = execFile(file, args, { env: opts.env ?? process.env, timeout: opts.timeoutMs ?? 30_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === "number" ? err.code : 1) : 0, stdout, stderr });
    });
    // The program may exit before reading its input (EPIPE); that is not a test failure.
    child.stdin?.on("error", () => undefined);
    child.stdin?.end(opts.input ?? "");
  });
}

const made: string[] = [];
/** A temp directory that removeTempDirs() (each file's afterAll) deletes. */
export function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  made.push(dir);
  return dir;
}

export function removeTempDirs(): void {
  for (const d of made.splice(0)) rmSync(d, { recursive: true, force: true });
}

export const openssl = (args: string[], input?: string) => run("openssl", args, { input });

/** A fresh lab CA with a server certificate for 127.0.0.1/localhost and a client certificate. */
export async function labCa(): Promise<CaStore> {
  const store = new CaStore(join(tempDir("ps-tls-"), "ca"));
  await store.init();
  await store.issue({ name: "server", kind: "server", sans: ["localhost", "127.0.0.1"] });
  await store.issue({ name: "alice", kind: "client", subject: "CN=alice,O=demo" });
  return store;
}
