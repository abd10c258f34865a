// Run an `os` command class in this process (oclif parses argv, runs, and catches as in the real CLI),
// capturing what it writes: a process per command costs ~5 s on a loaded 2-core box.
import { Config } from "@oclif/core";
import { fileURLToPath } from "node:url";
import { format } from "node:util";

const root = fileURLToPath(new URL("../..", import.meta.url));
let config: Promise<Config> | undefined;

export interface Ran {
  code: number;
  stdout: string;
  stderr: string;
}

interface Runnable {
  run(argv: string[], opts: Config): Promise<unknown>;
}

let queue: Promise<unknown> = Promise.resolve();

/** One at a time: stdout/stderr are captured by swapping process-wide writers. */
export function runCommand(cmd: Runnable, argv: string[]): Promise<Ran> {
  const next = queue.then(async () => {
    config ??= Config.load(root);
    const out: string[] = [];
    const err: string[] = [];
    const w1 = process.stdout.write;
    const w2 = process.stderr.write;
    const c1 = console.log;
    const c2 = console.error;
    // oclif's this.log goes through console.log; BaseCommand.catch writes to process.stderr.
    console.log = (...a: unknown[]) => void out.push(`${format(...a)}\n`);
    console.error = (...a: unknown[]) => void err.push(`${format(...a)}\n`);
    const saved = process.exitCode;
    process.exitCode = undefined;
    process.stdout.write = ((c: string | Uint8Array) => out.push(String(c)) > 0) as typeof process.stdout.write;
    process.stderr.write = ((c: string | Uint8Array) => err.push(String(c)) > 0) as typeof process.stderr.write;
    try {
      await cmd.run(argv, await config);
    } finally {
      process.stdout.write = w1;
      process.stderr.write = w2;
      console.log = c1;
      console.error = c2;
    }
    const code = Number(process.exitCode ?? 0);
    process.exitCode = saved;
    return { code, stdout: out.join(""), stderr: err.join("") };
  });
  queue = next.catch(() => undefined);
  return next;
}
