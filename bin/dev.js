#!/usr/bin/env -S node --import tsx
import { fileURLToPath } from "node:url";
import { Plugin, execute } from "@oclif/core";

// Development runs the TypeScript in src/: the root plugin is loaded without oclif.manifest.json (a
// build product describing dist/), so new or changed commands are seen at once.
process.env.NODE_ENV = "development";
const root = fileURLToPath(new URL("..", import.meta.url));
const plugin = new Plugin({ root, type: "core", isRoot: true, ignoreManifest: true });
await plugin.load();
await execute({ development: true, loadOptions: { root, plugins: new Map([[plugin.name, plugin]]) } });
