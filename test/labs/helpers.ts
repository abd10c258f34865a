import { cpSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fixturesDir } from "../../src/engine/common/paths.js";
import { type CliResult, os } from "../helpers/cli.js";

/** `os lab run` through the built CLI, as a user runs it (never throws on a failing lab). */
export function labRun(
  lab: string,
  dir: string,
  extra: string[] = [],
  env: NodeJS.ProcessEnv = {},
  timeoutMs = 280_000,
): Promise<CliResult> {
  return os(["lab", "run", lab, "--state-dir", dir, ...extra], env, timeoutMs);
}

/** A copy of the shipped labs with one lab's text changed (an expectation edited on purpose). */
export function labsWith(lab: string, edit: (text: string) => string): string {
  const dir = mkdtempSync(join(tmpdir(), "labs-copy-"));
  cpSync(join(fixturesDir, "labs"), dir, { recursive: true });
  const file = join(dir, `${lab}.yaml`);
  const before = readFileSync(file, "utf8");
  const after = edit(before);
  if (after === before) throw new Error(`the edit changed nothing in ${lab}.yaml`);
  writeFileSync(file, after);
  return dir;
}

/** The summary line a failed lab ends with. */
export function failedAt(stdout: string): string | undefined {
  return /^Lab \S+ failed at (.*)$/m.exec(stdout)?.[1];
}
