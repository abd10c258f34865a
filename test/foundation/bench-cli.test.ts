import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { entryArgv } from "../helpers/runtime.js";

// `npm run bench` is node dist/bench/run.js after a build: its options, its report and --compare,
// through the command itself (one short in-process row, so this stays fast).

const dir = mkdtempSync(join(tmpdir(), "bench-cli-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function bench(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, entryArgv("src/bench/run.ts", ...args), { timeout: 120_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

describe("npm run bench", () => {
  it("--help prints the usage and the rows", async () => {
    const r = await bench("--help");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^usage: npm run bench -- \[--only REGEX\]/);
    expect(r.stdout).toContain("scheduler.select_destinations_1000_nodes");
    expect(r.stdout).toContain("scheduler.placement_candidates_1000_nodes");
  });

  it("refuses a bad option or value with one line and the usage, never a stack trace", async () => {
    for (const args of [["--bogus"], ["--only"], ["--only", "("], ["--only", "^no-such-row$"], ["--max-ms", "soon"]]) {
      const r = await bench(...args);
      expect(r.code, args.join(" ")).toBe(2);
      expect(r.stderr, args.join(" ")).not.toMatch(/\n\s+at /);
      expect(r.stderr.trim().length, args.join(" ")).toBeGreaterThan(0);
    }
    const unknown = await bench("--bogus");
    expect(unknown.stderr.split("\n")[0]).toMatch(/Unknown option '--bogus'/);
    expect(unknown.stderr).toContain("usage: npm run bench");
  });

  it("writes a JSON report that --compare reads back, and refuses a report it cannot read", async () => {
    const report = join(dir, "old.json");
    const quick = ["--only", "^keystone\\.fernet_validate_in_process$", "--max-ms", "300", "--warmup", "10"];
    const first = await bench(...quick, "--json", report);
    expect(first.code, first.stderr).toBe(0);
    const json = JSON.parse(readFileSync(report, "utf8"));
    const row = json.rows.find((r: { name: string }) => r.name === "keystone.fernet_validate_in_process");
    expect(row.ops_per_s).toBeGreaterThan(0);
    expect(row.median_ms).toBeGreaterThan(0);

    const second = await bench(...quick, "--compare", report);
    expect(second.code, second.stderr).toBe(0);
    expect(second.stdout).toContain("keystone.fernet_validate_in_process");
    expect(second.stdout).toMatch(/%/);

    const broken = join(dir, "broken.json");
    const r = await bench(...quick, "--compare", broken);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`--compare ${broken}:`);
  });
});
