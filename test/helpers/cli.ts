import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";

export const RUN_JS = fileURLToPath(new URL("../../bin/run.js", import.meta.url));

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Run the built `os` CLI (bin/run.js → dist/) the way a user does; never throws on a non-zero exit. */
export function os(args: string[], env: NodeJS.ProcessEnv = {}, timeoutMs = 120_000): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(process.execPath, [RUN_JS, ...args], { env: { ...process.env, ...env }, timeout: timeoutMs }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === "number" ? err.code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}
