#!/usr/bin/env node
// Writes oclif.manifest.json for the built CLI (dist/commands), as `oclif manifest` does, with
// @oclif/core's own Plugin: loaded with ignoreManifest it imports every command once and caches its
// id, flags, args and file; `os` then starts from the manifest and imports only the command it runs.
//   node scripts/build-manifest.mjs [--root DIR]     (after `tsc -p tsconfig.build.json`)
// The manifest is a build product (in .gitignore). bin/dev.js ignores it and reads src/ directly.
import { rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { Plugin } from "@oclif/core";

const i = process.argv.indexOf("--root");
const root = resolve(i >= 0 ? process.argv[i + 1] : fileURLToPath(new URL("..", import.meta.url)));
const target = join(root, "oclif.manifest.json");

// A stale manifest must not be read while building the new one; NODE_ENV must not send oclif to src/.
rmSync(target, { force: true });
delete process.env.NODE_ENV;
const plugin = new Plugin({ root, type: "core", isRoot: true, ignoreManifest: true, errorOnManifestCreate: true, respectNoCacheDefault: true });
await plugin.load();
const commands = Object.keys(plugin.manifest.commands);
if (commands.length === 0) {
  console.error(`build-manifest: no commands found under ${root} (run tsc first: npm run build)`);
  process.exit(1);
}
writeFileSync(target, `${JSON.stringify(plugin.manifest)}\n`);
console.error(`build-manifest: ${target} (${commands.length} commands)`);
