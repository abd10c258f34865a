// How tests start pocketstack's own processes: from the compiled dist/ when it is up to date with src/
// (`npm test` builds first), else from the TypeScript sources through tsx. A tsx start costs 1.5–3 s of
// CPU (transpiling, and oclif's dev mode for bin/dev.js); a dist start costs a fraction of that, and the
// suite starts hundreds of processes.
//
// dist/ counts as up to date when every non-test src/**/*.ts(x) has its dist/**/*.js, written after the
// source was last changed, so a test run right after editing src/ (without `npm run build`) still runs
// the code as edited. POCKETSTACK_TEST_RUNTIME=src or =dist forces one or the other.
import { existsSync, readdirSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { isAbsolute, join, relative, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

export const REPO_ROOT = resolve(fileURLToPath(new URL("../..", import.meta.url)));

/** tsx by absolute URL, so `--import` resolves whatever the child's cwd is. */
export const TSX_IMPORT = pathToFileURL(createRequire(import.meta.url).resolve("tsx")).href;

/** Set by test/global-setup.ts: a package root whose oclif.manifest.json describes this run's dist/commands. */
export const CLI_ROOT_ENV = "POCKETSTACK_TEST_CLI_ROOT";

/** Set by test/global-setup.ts once it has warned that dist/ is stale, so workers stay quiet. */
export const STALE_WARNED_ENV = "POCKETSTACK_TEST_STALE_WARNED";

let fresh: { ok: boolean; why: string } | undefined;

function* sourcesUnder(dir: string): Generator<string> {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) yield* sourcesUnder(p);
    else if (/\.tsx?$/.test(e.name) && !/\.test\.tsx?$/.test(e.name) && !e.name.endsWith(".d.ts")) yield p;
  }
}

/** Whether dist/ holds a build of the current src/ (checked once per process), and if not, why. */
export function distStatus(): { ok: boolean; why: string } {
  fresh ??= checkDist();
  return fresh;
}

function checkDist(): { ok: boolean; why: string } {
  const forced = process.env.POCKETSTACK_TEST_RUNTIME;
  if (forced === "src") return { ok: false, why: "POCKETSTACK_TEST_RUNTIME=src" };
  if (forced === "dist") return { ok: true, why: "POCKETSTACK_TEST_RUNTIME=dist" };
  const src = join(REPO_ROOT, "src");
  for (const file of sourcesUnder(src)) {
    const out = join(REPO_ROOT, "dist", relative(src, file)).replace(/\.tsx?$/, ".js");
    let outTime: number;
    try {
      outTime = statSync(out).mtimeMs;
    } catch {
      return { ok: false, why: `${relative(REPO_ROOT, out)} is missing` };
    }
    if (outTime < statSync(file).mtimeMs) return { ok: false, why: `${relative(REPO_ROOT, file)} changed after the last build` };
  }
  return { ok: true, why: "dist/ is up to date" };
}

export const fromDist = (): boolean => distStatus().ok;

let warned = false;
function warnOnce(): void {
  // The global setup already said it once for the whole run.
  if (warned || fromDist() || process.env.POCKETSTACK_TEST_RUNTIME === "src" || process.env[STALE_WARNED_ENV]) return;
  warned = true;
  process.stderr.write(`[tests] running src/ through tsx (slow): ${distStatus().why}; \`npm run build\` makes them use dist/\n`);
}

const absolute = (file: string) => (isAbsolute(file) ? file : join(REPO_ROOT, file));

/** dist/<same path>.js for a src/ entry point when dist/ is up to date; undefined otherwise (or for files outside src/). */
export function compiledOf(srcFile: string): string | undefined {
  const rel = relative(join(REPO_ROOT, "src"), absolute(srcFile));
  if (rel.startsWith("..") || isAbsolute(rel)) return undefined;
  warnOnce();
  if (!fromDist()) return undefined;
  const out = join(REPO_ROOT, "dist", rel).replace(/\.tsx?$/, ".js");
  return existsSync(out) ? out : undefined;
}

/**
 * Node arguments that run an entry point given by its TypeScript path (relative to the repo root, or
 * absolute): `[dist/…/x.js, …args]` when compiled, else `["--import", tsx, src/…/x.ts, …args]`.
 * Test-only fixtures under test/ have no compiled copy and always run through tsx.
 */
export function entryArgv(srcFile: string, ...args: string[]): string[] {
  const compiled = compiledOf(srcFile);
  return compiled ? [compiled, ...args] : ["--import", TSX_IMPORT, absolute(srcFile), ...args];
}

/** For child_process.fork(): the module to run and the execArgv it needs (`fromSource` forces tsx). */
export function entryFork(srcFile: string, opts: { fromSource?: boolean } = {}): { modulePath: string; execArgv: string[] } {
  const compiled = opts.fromSource ? undefined : compiledOf(srcFile);
  return compiled ? { modulePath: compiled, execArgv: [] } : { modulePath: absolute(srcFile), execArgv: ["--import", TSX_IMPORT] };
}

/** The script that runs `os`: bin/run.js (production oclif on dist/) or bin/dev.js (oclif dev mode on src/ under tsx). */
export function cliScript(): { script: string; execArgv: string[] } {
  warnOnce();
  if (!fromDist() || !existsSync(join(REPO_ROOT, "dist", "commands")))
    return { script: join(REPO_ROOT, "bin", "dev.js"), execArgv: ["--import", TSX_IMPORT] };
  // The global setup's copy of the package root carries an oclif.manifest.json, so each `os` start imports
  // only the command it runs instead of all of them; the code it runs is this repo's dist/.
  const root = process.env[CLI_ROOT_ENV];
  const script = root && existsSync(join(root, "oclif.manifest.json")) ? join(root, "bin", "run.js") : join(REPO_ROOT, "bin", "run.js");
  return { script, execArgv: [] };
}

/** Node arguments for `os …args`: see cliScript(). */
export function cliArgv(...args: string[]): string[] {
  const { script, execArgv } = cliScript();
  return [...execArgv, script, ...args];
}
