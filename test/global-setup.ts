// Once per `vitest run`: make sure each `os` start reads an oclif.manifest.json that describes this
// build's commands. Without a manifest every `os` start imports all ~190 command modules to find the one
// it runs (~0.8 s of CPU); with it, only that one (~0.25 s). `npm run build` writes the repo's own
// manifest; when that one is missing or older than dist/ (tsc run alone), a scratch package root gets a
// fresh one (scripts/build-manifest.mjs), linking this repo's dist/ and node_modules/, so the code run is
// exactly dist/. Workers find it through POCKETSTACK_TEST_CLI_ROOT (test/helpers/runtime.ts); if anything
// here fails, tests fall back to bin/run.js, which is slower but the same code.
import { execFileSync } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CLI_ROOT_ENV, REPO_ROOT, STALE_WARNED_ENV, distStatus } from "./helpers/runtime.js";

let cliRoot: string | undefined;

/** The newest mtime of the files under dir (recursively). */
function newest(dir: string): number {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }
  return t;
}

/** Whether the repo's own oclif.manifest.json was written after the last build of dist/. */
function repoManifestIsFresh(): boolean {
  try {
    return statSync(join(REPO_ROOT, "oclif.manifest.json")).mtimeMs >= newest(join(REPO_ROOT, "dist"));
  } catch {
    return false;
  }
}

export function setup(): void {
  const status = distStatus();
  if (!status.ok) {
    console.warn(`[global-setup] tests run src/ through tsx (slow): ${status.why}; \`npm run build\` makes them use dist/`);
    process.env[STALE_WARNED_ENV] = "1";
    return;
  }
  if (repoManifestIsFresh()) return; // bin/run.js already starts from an up-to-date manifest
  try {
    cliRoot = mkdtempSync(join(tmpdir(), "pocketstack-test-cli-"));
    copyFileSync(join(REPO_ROOT, "package.json"), join(cliRoot, "package.json"));
    symlinkSync(join(REPO_ROOT, "dist"), join(cliRoot, "dist"));
    symlinkSync(join(REPO_ROOT, "node_modules"), join(cliRoot, "node_modules"));
    mkdirSync(join(cliRoot, "bin"));
    // A copy, not a link: oclif finds the package root from the script's own path.
    copyFileSync(join(REPO_ROOT, "bin", "run.js"), join(cliRoot, "bin", "run.js"));
    const env = { ...process.env };
    delete env.NODE_ENV; // oclif must read dist/, not map it back to src/
    execFileSync(process.execPath, [join(REPO_ROOT, "scripts", "build-manifest.mjs"), "--root", cliRoot], {
      env,
      stdio: ["ignore", "ignore", "pipe"],
      timeout: 60_000,
    });
    process.env[CLI_ROOT_ENV] = cliRoot;
  } catch (err) {
    console.warn(`[global-setup] no oclif manifest, \`os\` runs from bin/run.js: ${(err as Error).message}`);
    if (cliRoot) rmSync(cliRoot, { recursive: true, force: true });
    cliRoot = undefined;
  }
}

export function teardown(): void {
  if (cliRoot) rmSync(cliRoot, { recursive: true, force: true });
}
