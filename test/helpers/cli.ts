import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { cliArgv } from "./runtime.js";

export const RUN_JS = fileURLToPath(new URL("../../bin/run.js", import.meta.url));

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Run the `os` CLI in its own process the way a user does (the built dist/ when it is up to date, else the
 * sources: test/helpers/runtime.ts); never throws on a non-zero exit.
 */
export function os(args: string[], env: NodeJS.ProcessEnv = {}, timeoutMs = 120_000): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(process.execPath, cliArgv(...args), { env: { ...process.env, ...env }, timeout: timeoutMs }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === "number" ? err.code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}
