import { execFile } from "node:child_process";
import { cliArgv } from "../helpers/runtime.js";

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

/** `os …` (dist/ when built, else bin/dev.js under tsx: test/helpers/runtime.ts), with exactly the environment given (plus PATH/HOME). */
export function os(args: string[], env: NodeJS.ProcessEnv, opts: { cwd?: string } = {}): Promise<Result> {
  return run(process.execPath, cliArgv(...args), { PATH: process.env.PATH, HOME: process.env.HOME, ...env }, opts);
}
