// `os node add` / `os node list` through the CLI (dist/ when built, see test/helpers/runtime.ts), on a fresh state dir.
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { cliArgv } from "../../helpers/runtime.js";

function os(args: string[], home: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      cliArgv(...args),
      { env: { ...process.env, POCKETSTACK_HOME: home }, timeout: 60_000 },
      (err, stdout, stderr) => resolve({ code: err ? (typeof err.code === "number" ? err.code : 1) : 0, stdout, stderr }),
    );
  });
}

describe("os node add / list", () => {
  it("adds a node to etc/nodes.json after the default ones and lists them; refuses duplicates and bad names", async () => {
    const home = mkdtempSync(join(tmpdir(), "pocketstack-nodes-"));
    const add = await os(["node", "add", "compute3", "--driver", "fake", "-f", "json"], home);
    expect(add.stderr).toBe("");
    expect(JSON.parse(add.stdout)).toMatchObject({ host: "compute3", driver: "fake", unit: "nova-compute@compute3" });
    const file = JSON.parse(readFileSync(join(home, "etc", "nodes.json"), "utf8"));
    expect(file.map((n: { host: string }) => n.host)).toEqual(["compute1", "compute2", "compute3"]);
    expect(file[2]).toEqual({ host: "compute3", driver: "fake" });

    const list = await os(["node", "list", "-f", "json"], home);
    expect(JSON.parse(list.stdout)).toEqual([
      expect.objectContaining({ Host: "compute1", Unit: "nova-compute@compute1", State: "not running" }),
      expect.objectContaining({ Host: "compute2", Unit: "nova-compute@compute2", State: "not running" }),
      expect.objectContaining({ Host: "compute3", Driver: "fake", Unit: "nova-compute@compute3" }),
    ]);

    const dup = await os(["node", "add", "compute3"], home);
    expect(dup.code).not.toBe(0);
    expect(dup.stderr).toMatch(/node compute3 already exists/);
    const bad = await os(["node", "add", "no/slash"], home);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toMatch(/not a valid host name/);
  }, 60_000);
});
