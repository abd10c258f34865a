import { execFileSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";

// The oclif manifest scripts/build-manifest.mjs writes after `tsc` (npm run build): built here into a
// scratch copy of the package root, so this test never leaves a manifest in the shared tree.
const repo = new URL("../../", import.meta.url).pathname;
const root = mkdtempSync(join(tmpdir(), "scale-manifest-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe("oclif.manifest.json", () => {
  it.skipIf(!existsSync(join(repo, "dist", "commands")))(
    "is built from dist/ and `os` starts from it",
    () => {
      copyFileSync(join(repo, "package.json"), join(root, "package.json"));
      symlinkSync(join(repo, "dist"), join(root, "dist"));
      symlinkSync(join(repo, "node_modules"), join(root, "node_modules"));
      mkdirSync(join(root, "bin"));
      copyFileSync(join(repo, "bin", "run.js"), join(root, "bin", "run.js"));
      execFileSync(process.execPath, [join(repo, "scripts", "build-manifest.mjs"), "--root", root], { stdio: "pipe" });
      const manifest = JSON.parse(readFileSync(join(root, "oclif.manifest.json"), "utf8")) as {
        version: string;
        commands: Record<string, { relativePath: string[] }>;
      };
      expect(manifest.version).toBe(JSON.parse(readFileSync(join(repo, "package.json"), "utf8")).version);
      // (relative to the scratch root, whose dist/ is a link to the repo's)
      expect(manifest.commands["server:list"]?.relativePath.join("/")).toMatch(/(^|\/)dist\/commands\/server\/list\.js$/);
      expect(Object.keys(manifest.commands).length).toBeGreaterThan(100);
      expect(execFileSync(process.execPath, [join(root, "bin", "run.js"), "--version"], { encoding: "utf8" })).toMatch(
        /^pocketstack\/\d+\.\d+\.\d+ /,
      );
      // Help for a command comes from the manifest too (its flags are there without importing it).
      expect(execFileSync(process.execPath, [join(root, "bin", "run.js"), "server", "list", "--help"], { encoding: "utf8" })).toMatch(
        /List servers/,
      );
    },
    60_000,
  );

  it("bin/dev.js reads src/ and ignores a manifest", () => {
    const out = execFileSync(process.execPath, ["--import", "tsx", join(repo, "bin", "dev.js"), "node", "add", "--help"], {
      encoding: "utf8",
      cwd: repo,
    });
    expect(out).toMatch(/--count/);
  }, 60_000);
});
