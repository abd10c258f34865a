import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { cliArgv } from "../helpers/runtime.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));

export interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

/** Run a program with exactly the environment given (plus PATH); never throws on a non-zero exit. */
export function run(file: string, args: string[], env: NodeJS.ProcessEnv, timeoutMs = 120_000): Promise<Result> {
  return new Promise((resolve) => {
    execFile(file, args, { cwd: ROOT, env: { PATH: process.env.PATH, ...env }, timeout: timeoutMs }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === "number" ? err.code : 1) : 0, stdout, stderr });
    });
  });
}

/** `os …` (dist/ when built, else the TypeScript sources: test/helpers/runtime.ts). */
export const os = (args: string[], env: NodeJS.ProcessEnv, timeoutMs?: number) => run(process.execPath, cliArgv(...args), env, timeoutMs);

/** The real python-openstackclient. */
export const openstack = (args: string[], env: NodeJS.ProcessEnv, timeoutMs?: number) => run("openstack", args, env, timeoutMs);

/** Header and rows of a cliff table, cells trimmed. */
export function parseTable(text: string): { header: string[]; rows: string[][] } {
  const cells = text
    .split("\n")
    .filter((l) => l.startsWith("|"))
    .map((l) =>
      l
        .slice(1, -1)
        .split("|")
        .map((c) => c.trim()),
    );
  return { header: cells[0] ?? [], rows: cells.slice(1) };
}

/** A Field/Value table as an object. */
export function parseShow(text: string): Record<string, string> {
  return Object.fromEntries(parseTable(text).rows.map((r) => [r[0] ?? "", r[1] ?? ""]));
}

/** Why the live tests cannot run here, or undefined when the Nova control plane is in the tree. */
export function controlPlaneMissing(): string | undefined {
  for (const entry of ["api", "conductor", "scheduler", "manager"])
    if (!existsSync(`${ROOT}src/engine/compute/${entry}/main.ts`))
      return `src/engine/compute/${entry}/main.ts is missing: the Nova control plane is not in the tree yet`;
  return undefined;
}

export function realClientMissing(): string | undefined {
  return existsSync("/usr/bin/openstack") || process.env.PATH?.split(":").some((d) => existsSync(`${d}/openstack`))
    ? undefined
    : "the real openstack client is not installed (apt-get install python3-openstackclient)";
}
