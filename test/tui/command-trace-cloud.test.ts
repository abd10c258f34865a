// `--trace` on real commands against a local cloud (fake driver): the text tree, the one-frame waterfall,
// the interactive view in a pseudo-terminal, and `os trace watch` seeing a real server create arrive.
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { controlPlaneMissing, os } from "../compute-cli/run.js";
import { isolatedPorts } from "../helpers/ports.js";
import { cliArgv } from "../helpers/runtime.js";

const missing = controlPlaneMissing();
const TMUX = ["/usr/bin/tmux", "/usr/local/bin/tmux"].find((p) => existsSync(p));
const repo = join(import.meta.dirname, "..", "..");
const socket = `pocketstack-cmdtrace-${process.pid}`;
const tmux = (...args: string[]) => execFileSync(TMUX as string, ["-L", socket, ...args], { encoding: "utf8" });
const screen = (session: string) => tmux("capture-pane", "-p", "-t", session);
const stripAnsi = (s: string) => s.replace(/\u001B\[[0-9;?]*[A-Za-z]/g, "");

let dir = "";
let env: NodeJS.ProcessEnv = {};

beforeAll(async () => {
  if (missing) return;
  dir = mkdtempSync(join(tmpdir(), "pocketstack-cmdtrace-"));
  const sets = (await isolatedPorts()).flatMap((s) => ["--set", s]);
  const up = await os(
    ["cloud", "up", "--state-dir", dir, "--driver", "fake", "--computes", "1", ...sets],
    { POCKETSTACK_HOME: dir, HOME: dir },
    180_000,
  );
  if (up.code !== 0) throw new Error(`os cloud up failed (${up.code}):\n${up.stdout}\n${up.stderr}`);
  env = { OS_CLIENT_CONFIG_FILE: join(dir, "clouds.yaml"), OS_CLOUD: "pocketstack", POCKETSTACK_HOME: dir, HOME: dir };
}, 200_000);

afterAll(async () => {
  if (TMUX) {
    try {
      tmux("kill-server");
    } catch {
      // no session left
    }
  }
  if (!dir) return;
  await os(["cloud", "down", "--state-dir", dir], { POCKETSTACK_HOME: dir, HOME: dir }, 60_000);
  rmSync(dir, { recursive: true, force: true });
}, 90_000);

async function until(what: string, probe: () => boolean, show: () => string, timeoutMs = 60_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!probe()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}; screen:\n${show()}`);
    await new Promise((r) => setTimeout(r, 150));
  }
}

describe.skipIf(Boolean(missing))("os <command> --trace against a cloud", () => {
  it("--trace=text: the server create flow as a tree on stderr, the command's output untouched on stdout", async () => {
    const r = await os(
      ["server", "create", "--flavor", "m1.tiny", "--image", "cirros", "--wait", "--trace=text", "-f", "json", "vm1"],
      env,
    );
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).status).toBe("ACTIVE");
    // After --wait's progress line (osc's `\rProgress: N`, also on stderr).
    const all = r.stderr.split("\n");
    const lines = all.slice(all.findIndex((l) => l.startsWith("Trace ")));
    expect(lines[0]).toMatch(/^Trace [0-9a-f]{32} {2}request req-[0-9a-f-]{36} {2}\d+ spans {2}[\d.]+ (ms|s)$/);
    expect(lines[1]).toMatch(/^os server create\s+os@\S+ \(\d+\)\s+internal\s+[\d.]+ (ms|s)\s+\+0\.0 ms$/);
    // The client's call, then nova-api answering it, then the steps the seed's chapters name, with times.
    const at = (re: RegExp) => lines.findIndex((l) => re.test(l));
    const post = at(/^├─ POST \/v2\.1\/servers\s+os@/);
    expect(post).toBeGreaterThan(0);
    expect(lines[post + 1]).toMatch(/^│ {2}└─ POST \/v2\.1\/servers\s+nova@controller \(\d+\)\s+wsgi\s+[\d.]+ (ms|s)/);
    const order = [
      /ServersController\.create\s/,
      /_provision_instances\s/,
      /ComputeTaskManager\.schedule_and_build_instances\s+nova-conductor@/,
      /SchedulerManager\.select_destinations\s+nova-scheduler@/,
      /GET \/allocation_candidates\s+placement@controller .*wsgi/,
      /ComputeManager\.build_and_run_instance\s+nova-compute@/,
      /\bspawn\s+nova-compute@\S+ \(\d+\)\s+driver/,
    ].map(at);
    for (const i of order) expect(i).toBeGreaterThan(post);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    // The polls of --wait are there too, each with nova's answer.
    expect(lines.filter((l) => /^├─ GET \/v2\.1\/servers\/[0-9a-f-]{36}\s+os@/.test(l)).length).toBeGreaterThanOrEqual(1);
    // The request id printed finds the whole command again in the store.
    const rid = /request (req-[0-9a-f-]{36})/.exec(lines[0] ?? "")?.[1] as string;
    const again = await os(["trace", "show", rid, "--state-dir", dir], env);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toMatch(/POST \/v2\.1\/servers/);
    expect(again.stdout).toMatch(/ComputeManager\.build_and_run_instance/);
  }, 120_000);

  it("--trace when not a terminal (CI): one frame of the waterfall", async () => {
    const r = await os(["server", "list", "--trace"], { ...env, CI: "true", COLUMNS: "120" });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/\| vm1 +\| ACTIVE/);
    const frame = stripAnsi(r.stderr).split("\n");
    expect(frame[0]).toMatch(/^os server list\s+[\d.]+(µs|ms|s) · \d+ spans · req-[0-9a-f-]{36}$/);
    expect(frame[1]).toMatch(/^ SPAN\s+SERVICE\s+0\s+[\d.]+(ms|s)\s+TIME$/);
    expect(frame.find((l) => /^ os server list\s+os\s+█+/.test(l))).toBeDefined();
    expect(frame.find((l) => /^ [├└]─GET \/v2\.1\/servers\/detail\s+os\s+·*█+·*\s+[\d.]+(µs|ms|s)$/.test(l))).toBeDefined();
    expect(frame.find((l) => /^ [│ ] └─GET \/v2\.1\/servers\/detail\s+nova\s+·*█+·*\s+[\d.]+(µs|ms|s)$/.test(l))).toBeDefined();
    expect(frame.every((l) => [...l].length <= 120)).toBe(true);
  }, 60_000);

  it("a failing command keeps its error and exit code, and its trace shows the failed request", async () => {
    const r = await os(["server", "show", "no-such-server", "--trace=text"], env);
    expect(r.code).toBe(1);
    const lines = r.stderr.split("\n");
    expect(lines[0]).toBe("No server with a name or ID of 'no-such-server' exists.");
    expect(lines[2]).toMatch(/^os server show\s+os@\S+.*ERROR: exit code 1$/);
    expect(r.stderr).toMatch(/└─ GET \/v2\.1\/servers\/no-such-server\s+nova@controller/);
  }, 60_000);

  it("--help lists the flag among the global ones", async () => {
    const r = await os(["server", "create", "--help"], env);
    expect(r.stdout).toMatch(/--trace=<option>/);
    expect(r.stdout).toMatch(/<options: tui\|text>/);
  }, 60_000);

  describe.skipIf(!TMUX)("in a pseudo-terminal (tmux)", () => {
    const shell = (args: string[]) =>
      `env -i PATH='${process.env.PATH}' HOME='${dir}' TERM=xterm-256color POCKETSTACK_HOME='${dir}' OS_CLOUD=pocketstack OS_CLIENT_CONFIG_FILE='${join(dir, "clouds.yaml")}' '${process.execPath}' ${cliArgv(
        ...args,
      )
        .map((a) => `'${a}'`)
        .join(" ")}`;
    const gone = (session: string) => () => {
      try {
        tmux("has-session", "-t", session);
        return false;
      } catch {
        return true;
      }
    };

    it("--trace opens the command's trace in the live view; q returns to the shell", async () => {
      // `; sleep` keeps the pane after the command ends, to read what it printed after the view closed.
      tmux("new-session", "-d", "-s", "cmd", "-x", "160", "-y", "45", "-c", repo, `${shell(["server", "list", "--trace"])}; sleep 30`);
      const show = () => screen("cmd");
      await until("the trace view", () => /os server list --trace · 1 requests/.test(show()) && /›os server list/.test(show()), show);
      await until("nova's answer in the waterfall", () => /GET \/v2\.1\/servers\/detail\s+nova/.test(show()), show);
      expect(show()).toMatch(/Waterfall\s+Swimlane\s+Detail/);
      tmux("send-keys", "-t", "cmd", "Tab");
      await until("the swimlane with the client's lane first", () => /\+ms\s+os\s+nova/.test(show()), show);
      tmux("send-keys", "-t", "cmd", "q");
      await until("the shell back with the table and the hint", () => /Request ID req-[0-9a-f-]{36}: `os trace show/.test(show()), show);
      expect(show()).toMatch(/\| vm1 +\| ACTIVE/);
      tmux("kill-session", "-t", "cmd");
    }, 120_000);

    it("os trace watch sees a real server create arrive, span by span", async () => {
      tmux(
        "new-session",
        "-d",
        "-s",
        "watch",
        "-x",
        "200",
        "-y",
        "50",
        "-c",
        repo,
        shell(["trace", "watch", "--state-dir", dir, "--interval", "100"]),
      );
      const show = () => screen("watch");
      await until("the watcher", () => /pocketstack trace watch · \d+ requests/.test(show()), show);
      const create = os(["server", "create", "--flavor", "m1.tiny", "--image", "cirros", "--wait", "vm2"], env);
      await until("POST /v2.1/servers in the list", () => /POST\s+\/v2\.1\/servers\s+202/.test(show()), show);
      expect((await create).code).toBe(0);
      // Select it (newest first: it may already be below later GETs of --wait) and see the build's spans.
      tmux("send-keys", "-t", "watch", "/");
      await until("the filter prompt", () => /⏎ apply/.test(show()), show);
      tmux("send-keys", "-t", "watch", "-l", "method:POST path:/v2.1/servers");
      await until("the filter typed", () => /^\/method:POST path:\/v2\.1\/servers/m.test(show()), show);
      tmux("send-keys", "-t", "watch", "Enter");
      await until(
        "the filter applied",
        () => /filter: method:post path:\/v2\.1\/servers|filter: method:POST path:\/v2\.1\/servers/.test(show()),
        show,
      );
      // The whole build arrived (a real create is some 60 spans), and its first steps are on screen.
      await until("the build's spans", () => Number(/POST \/v2\.1\/servers 202 .*· (\d+) spans ·/.exec(show())?.[1] ?? 0) >= 40, show);
      expect(show()).toMatch(/ServersController\.create/);
      expect(show()).toMatch(/select_destinations/);
      tmux("send-keys", "-t", "watch", "q");
      await until("the watcher to quit", gone("watch"), show);
    }, 120_000);
  });
});
