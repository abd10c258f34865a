import { cpSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fixturesDir } from "../../src/engine/common/paths.js";
import { spawn } from "node:child_process";
import { type CliResult, os } from "../helpers/cli.js";
import { cliArgv } from "../helpers/runtime.js";

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

/** `os lab run <lab> --interactive` with a keyboard: type into its stdin, wait for what it prints. */
export function interactiveRun(lab: string, dir: string, timeoutMs = 110_000) {
  const child = spawn(process.execPath, cliArgv("lab", "run", lab, "--interactive", "--state-dir", dir), {
    env: process.env,
    stdio: ["pipe", "pipe", "pipe"],
  });
  let out = "";
  let err = "";
  child.stdout.on("data", (d: Buffer) => (out += d.toString("utf8")));
  child.stderr.on("data", (d: Buffer) => (err += d.toString("utf8")));
  const timer = setTimeout(() => child.kill("SIGTERM"), timeoutMs);
  const exit = new Promise<CliResult>((resolve) =>
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? 1, stdout: out, stderr: err });
    }),
  );
  return {
    exit,
    stdout: () => out,
    type: (text: string) => child.stdin.write(text),
    end: () => child.stdin.end(),
    /** Resolves once `text` has been printed (rejects if the run ends or 60 s pass first). */
    waitFor(text: string, ms = 60_000): Promise<void> {
      const deadline = Date.now() + ms;
      return new Promise((resolve, reject) => {
        const poll = () => {
          if (out.includes(text)) return resolve();
          if (child.exitCode !== null || Date.now() > deadline)
            return reject(new Error(`never printed ${JSON.stringify(text)}; stdout:\n${out}\nstderr:\n${err}`));
          setTimeout(poll, 50);
        };
        poll();
      });
    },
  };
}
