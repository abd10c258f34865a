// `os trace watch` in a real pseudo-terminal (tmux): spans are written into the trace store while it
// runs, as the collector would during a server create, and the screen must show them arriving.
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { openTraceWriter } from "../../src/engine/common/trace/store.js";
import { cliArgv } from "../helpers/runtime.js";
import { byEnd, loadTrace } from "./fixtures.js";

const TMUX = ["/usr/bin/tmux", "/usr/local/bin/tmux"].find((p) => existsSync(p));
const repo = join(import.meta.dirname, "..", "..");
const socket = `pocketstack-tui-${process.pid}`;
const tmux = (...args: string[]) => execFileSync(TMUX as string, ["-L", socket, ...args], { encoding: "utf8" });
const screen = () => tmux("capture-pane", "-p", "-t", "watch");

async function until(what: string, probe: () => boolean, timeoutMs = 30_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!probe()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}; screen:\n${screen()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe.skipIf(!TMUX)("os trace watch in tmux", () => {
  const dir = mkdtempSync(join(tmpdir(), "pocketstack-watch-"));
  afterAll(() => {
    try {
      tmux("kill-server");
    } catch {
      // already gone: the watcher quit and its session ended
    }
    rmSync(dir, { recursive: true, force: true });
  });

  it("shows spans arrive live, switches views, and quits on q", async () => {
    const writer = openTraceWriter(join(dir, "db", "trace.sqlite"), { retention: 1000 });
    writer.insert(loadTrace("token-issue", Date.now() - 60_000));
    // A clean environment: with CI set, ink would draw only the last frame.
    const cmd = `env -i PATH='${process.env.PATH}' HOME='${process.env.HOME}' TERM=xterm-256color '${process.execPath}' ${cliArgv(
      "trace",
      "watch",
      "--state-dir",
      dir,
      "--interval",
      "100",
    )
      .map((a) => `'${a}'`)
      .join(" ")}`;
    tmux("new-session", "-d", "-s", "watch", "-x", "200", "-y", "50", "-c", repo, cmd);
    try {
      await until("the stored request", () => /1 requests/.test(screen()) && screen().includes("/v3/auth/tokens"), 60_000);

      // The server create, span by span in the order they finish (children before their parents).
      const spans = byEnd(loadTrace("server-create", Date.now()));
      writer.insert(spans.slice(0, 20));
      await until("the open request", () => /\(20 spans so far\)/.test(screen()));
      expect(screen()).toMatch(/2 requests/);
      writer.insert(spans.slice(20, 40));
      await until("more spans", () => /POST\s+\/v2\.1\/servers\s+202/.test(screen())); // the API answered: root span stored
      writer.insert(spans.slice(40));
      tmux("send-keys", "-t", "watch", "Enter");
      await until("the full trace", () => screen().includes("51 spans"));
      tmux("send-keys", "-t", "watch", "Tab");
      await until("the swimlane", () => /nova-api\s+keystone\s+glance\s+placement/.test(screen()));
      expect(screen()).toMatch(/schedule_and_build_instances \(cast\)/);
      // Every redraw replaced the previous frame: the title is on the first line, once.
      expect(screen().split("\n")[0]).toMatch(/^pocketstack trace watch · 2 requests/);
      expect(screen().match(/pocketstack trace watch/g)).toHaveLength(1);

      tmux("send-keys", "-t", "watch", "q");
      await until("the watcher to quit", () => {
        try {
          tmux("has-session", "-t", "watch");
          return false;
        } catch {
          return true;
        }
      });
    } finally {
      writer.close();
    }
  }, 120_000);
});
