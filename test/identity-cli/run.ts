import { execFile } from "node:child_process";
import { createRequire } from "node:module";
import { fileURLToPath, pathToFileURL } from "node:url";

const DEV_JS = fileURLToPath(new URL("../../bin/dev.js", import.meta.url));
const TSX = pathToFileURL(createRequire(import.meta.url).resolve("tsx")).href;

export interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

/** Run a program; never throws on a non-zero exit. */
export function run(
  file: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  opts: { cwd?: string; timeoutMs?: number } = {},
): Promise<Result> {
  return new Promise((resolve) => {
    execFile(file, args, { env, cwd: opts.cwd, timeout: opts.timeoutMs ?? 60_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === "number" ? err.code : 1) : 0, stdout, stderr });
    });
  });
}

/** `os …` from source (bin/dev.js under tsx), with exactly the environment given (plus PATH/HOME). */
export function os(args: string[], env: NodeJS.ProcessEnv, opts: { cwd?: string } = {}): Promise<Result> {
  return run(process.execPath, ["--import", TSX, DEV_JS, ...args], { PATH: process.env.PATH, HOME: process.env.HOME, ...env }, opts);
}
