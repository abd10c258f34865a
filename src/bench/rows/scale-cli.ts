import { execFile } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { type BenchRow, type Budget, onBenchExit, recordMetric } from "../row.js";
import { type NovaBenchCloud, startNovaBenchCloud } from "./nova-common.js";

// Cold starts of the `os` CLI (a new Node process per command, as a user types them) against a cloud of
// its own, next to the real python-openstackclient (Debian's `openstack`) against the same cloud.
// `os` runs from dist/ with the oclif.manifest.json `npm run build` writes (scripts/build-manifest.mjs),
// built here into a scratch copy of the package root so the bench never depends on the last build step.

const repoRoot = fileURLToPath(new URL("../../../", import.meta.url));

let shared: Promise<{ cloud: NovaBenchCloud; cliRoot: string }> | undefined;

function cliCloud() {
  shared ??= (async () => {
    const cliRoot = mkdtempSync(join(tmpdir(), "pocketstack-bench-cli-"));
    copyFileSync(join(repoRoot, "package.json"), join(cliRoot, "package.json"));
    symlinkSync(join(repoRoot, "dist"), join(cliRoot, "dist"));
    symlinkSync(join(repoRoot, "node_modules"), join(cliRoot, "node_modules"));
    mkdirSync(join(cliRoot, "bin"));
    // A copy, not a link: oclif finds the package root from the script's own path.
    copyFileSync(join(repoRoot, "bin", "run.js"), join(cliRoot, "bin", "run.js"));
    await run(process.execPath, [join(repoRoot, "scripts", "build-manifest.mjs"), "--root", cliRoot], {});
    const cloud = await startNovaBenchCloud();
    onBenchExit(async () => {
      await cloud.close();
      rmSync(cliRoot, { recursive: true, force: true });
    });
    return { cloud, cliRoot };
  })();
  return shared;
}

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { env: { ...process.env, ...env }, timeout: 60_000, maxBuffer: 16 << 20 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${cmd} ${args.join(" ")} failed: ${stderr.trim() || err.message}`));
      else resolve(stdout);
    });
  });
}

async function timedRuns(budget: Budget, once: () => Promise<unknown>): Promise<number[]> {
  for (let i = 0; i < Math.min(budget.warmup, 2); i++) await once();
  const out: number[] = [];
  const stopAt = performance.now() + Math.max(Math.min(budget.maxMs, 20_000), 3_000);
  while (out.length < Math.min(budget.maxSamples, 15) && performance.now() < stopAt) {
    const t = performance.now();
    await once();
    out.push(performance.now() - t);
  }
  return out;
}

function osRow(name: string, args: string[], target?: BenchRow["target"], floorOf?: string): BenchRow {
  return {
    name,
    floorOf,
    target,
    async run(budget) {
      const { cloud, cliRoot } = await cliCloud();
      return timedRuns(budget, () => run(process.execPath, [join(cliRoot, "bin", "run.js"), ...args], { POCKETSTACK_HOME: cloud.dir }));
    },
  };
}

/** The real `openstack server list` (python3-openstackclient) against the same cloud: what `os` is compared to. */
export const openstackServerListRow: BenchRow = {
  name: "cli.openstack_server_list_cold",
  async run(budget) {
    if (!existsSync("/usr/bin/openstack")) throw new Error("python3-openstackclient is not installed (/usr/bin/openstack)");
    const { cloud } = await cliCloud();
    const env = { OS_CLIENT_CONFIG_FILE: join(cloud.dir, "clouds.yaml"), OS_CLOUD: "pocketstack" };
    return timedRuns(budget, () => run("/usr/bin/openstack", ["server", "list"], env));
  },
};

export const versionRow = osRow("cli.os_version_cold", ["--version"], { maxMedianMs: 300 });

/**
 * `os server list` cold: <= 400 ms, and at least 4x faster than `openstack server list` (ratio <= 0.25).
 * Also checks the token cache: five consecutive commands authenticate at most once.
 */
export const serverListRow: BenchRow = {
  ...osRow("cli.os_server_list_cold", ["server", "list"], { maxMedianMs: 400, maxRatio: 0.25 }, "cli.openstack_server_list_cold"),
  async run(budget) {
    const { cloud, cliRoot } = await cliCloud();
    const cacheFile = join(cloud.dir, "run", "token-cache.json");
    const env = { POCKETSTACK_HOME: cloud.dir };
    const runOs = () => run(process.execPath, [join(cliRoot, "bin", "run.js"), "server", "list"], env);
    // Re-authentications: the cached token changes only when the CLI authenticated again.
    rmSync(cacheFile, { force: true });
    const seen = new Set<string>();
    for (let i = 0; i < 5; i++) {
      await runOs();
      seen.add(existsSync(cacheFile) ? readFileSync(cacheFile, "utf8") : `none-${i}`);
    }
    recordMetric({ row: "cli.os_server_list_cold", name: "authentications in 5 consecutive commands", value: seen.size, unit: "", max: 1 });
    return timedRuns(budget, runOs);
  },
};

export const tokenIssueRow = osRow("cli.os_token_issue_cold", ["token", "issue"], { maxMedianMs: 400 });
