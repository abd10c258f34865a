// `--trace` on a command, without a cloud: the services' stored spans (recorded fixtures) joined under the
// client's own spans, the one-frame waterfall, the span store poll, and the live view on one trace.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { render } from "ink-testing-library";
import { afterAll, describe, expect, it, vi } from "vitest";
import { openTraceWriter } from "../../src/engine/common/trace/store.js";
import { buildSpanForest, renderSpanForest } from "../../src/engine/common/trace/tree.js";
import { TraceWatchApp } from "../../src/tui/components/TraceWatchApp.js";
import { CommandSpanReader, joinCommandTrace, unansweredCalls } from "../../src/tui/command-trace/collect.js";
import { CommandTraceRecorder } from "../../src/tui/command-trace/recorder.js";
import { commandTraceFrame } from "../../src/tui/command-trace/show.js";
import { CommandTraceSource } from "../../src/tui/command-trace/source.js";
import { buildSwimlane } from "../../src/tui/data/lanes.js";
import { loadTrace } from "./fixtures.js";

const T0 = 1_768_210_200_000;
const SERVERS_RID = "req-3f2b8c1d-6a4e-4f5b-9c7d-1e2f3a4b5c6d"; // the response id in fixtures/traces/server-create.json
const TOKEN_RID = "req-7c6b5a4f-3e2d-4c1b-8a9f-0e1d2c3b4a59"; // fixtures/traces/token-issue.json
const GLOBAL_RID = "req-0c0c0c0c-1d1d-4e4e-8f8f-202020202020";

/** A recorder as a `server create` run would leave it: a token request, then POST /servers. */
function recorded(): CommandTraceRecorder {
  const r = new CommandTraceRecorder("server create");
  // The command ran from T0-100 to T0+185; the build it started goes on in the services until T0+2302.
  Object.assign(r, { start: T0 - 100, end: T0 + 185, globalRequestId: GLOBAL_RID });
  r.calls.push(
    {
      spanId: "a1a1a1a1a1a1a1a1",
      method: "POST",
      url: "http://127.0.0.1:5000/v3/auth/tokens",
      start: T0 - 90,
      end: T0 - 50,
      status: 201,
      requestId: TOKEN_RID,
    },
    {
      spanId: "b2b2b2b2b2b2b2b2",
      method: "POST",
      url: "http://127.0.0.1:8774/v2.1/servers",
      start: T0 - 2,
      end: T0 + 183,
      status: 202,
      requestId: SERVERS_RID,
    },
  );
  r.finish(0);
  return r;
}

/** The stored spans, as the store returns them for the command's global request id. */
const stored = () => [...loadTrace("token-issue", T0 - 89), ...loadTrace("server-create", T0)];

describe("joining the command's trace", () => {
  it("puts each request's spans under the client call that caused it, on one time axis", () => {
    const r = recorded();
    const all = joinCommandTrace(r.clientSpans(), r.calls, stored());
    const forest = buildSpanForest(all);
    expect(forest).toHaveLength(1); // one tree: the command
    const [root] = forest;
    expect(root?.name).toBe("os server create");
    expect(root?.service).toBe("os");
    expect(root?.children.map((c) => c.name)).toEqual(["POST /v3/auth/tokens", "POST /v2.1/servers"]);
    const post = root?.children[1];
    expect(post?.kind).toBe("http");
    expect(post?.attributes["http.status"]).toBe(202);
    expect(post?.children.map((c) => `${c.service} ${c.kind} ${c.name}`)).toEqual(["nova-api wsgi POST /v2.1/servers"]);
    // Offsets are from the command's start: POST /servers left the client 98 ms in, nova-api took it at 100.
    expect(post?.offset_ms).toBe(98);
    expect(post?.children[0]?.offset_ms).toBe(100);
    const text = renderSpanForest(forest);
    expect(text).toMatch(/ServersController\.create/);
    expect(text).toMatch(/ComputeManager\.build_and_run_instance/);
    expect(text).toMatch(/└─ .*spawn|├─ .*spawn/);
    // Every stored span is there, once, plus the command and its two calls.
    expect(text.split("\n").length - 1).toBe(stored().length + 3);
  });

  it("keeps spans it cannot place under the command rather than dropping them", () => {
    const r = recorded();
    r.calls[1] = { ...(r.calls[1] as (typeof r.calls)[number]), requestId: undefined }; // e.g. the answer was cut
    const all = joinCommandTrace(r.clientSpans(), r.calls, stored());
    const [root, ...rest] = buildSpanForest(all);
    expect(rest).toHaveLength(0);
    expect(root?.children.map((c) => c.name)).toContain("POST /v2.1/servers");
  });

  it("counts the answered calls whose spans have not been stored yet", () => {
    const r = recorded();
    expect(unansweredCalls(r.calls, loadTrace("token-issue")).map((c) => c.requestId)).toEqual([SERVERS_RID]);
    expect(unansweredCalls(r.calls, stored())).toEqual([]);
  });

  it("draws the command as its own lane, first, calling the services", () => {
    const r = recorded();
    const lanes = buildSwimlane(joinCommandTrace(r.clientSpans(), r.calls, stored()));
    expect(lanes.lanes[0]).toBe("os");
    expect(lanes.events.some((e) => e.kind === "http" && e.from === 0 && e.label === "POST /v2.1/servers")).toBe(true);
  });
});

describe("the one-frame waterfall (not a terminal, or CI)", () => {
  it("shows every span with its bar and duration, under a title with the request id", () => {
    const r = recorded();
    const frame = commandTraceFrame(joinCommandTrace(r.clientSpans(), r.calls, stored()), r, 120);
    const lines = frame.split("\n");
    expect(lines[0]).toMatch(new RegExp(`^os server create\\s+2\\.40s · ${stored().length + 3} spans · ${GLOBAL_RID}$`));
    expect(lines[1]).toMatch(/SPAN\s+SERVICE\s+0\s+2\.40s\s+TIME/);
    // The command's bar covers its 285 ms of the 2.40 s axis; the build goes on after it returned.
    expect(frame).toMatch(/^ os server create\s+os\s+█{5,8}·+\s+285ms$/m);
    expect(frame).toMatch(/^ └─POST \/v2\.1\/servers\s+os\s+·+█+·+\s+185ms$/m);
    expect(frame).toMatch(/select_destinations/);
    expect(lines.every((l) => [...l].length <= 120)).toBe(true);
    expect(lines.at(-1)).toContain(`os trace show ${r.globalRequestId}`);
  });
});

describe("reading the store", () => {
  const dir = mkdtempSync(join(tmpdir(), "pocketstack-cmdtrace-"));
  const file = join(dir, "db", "trace.sqlite");
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("waits for the answered requests' spans, then for quiet, and finds them by the global request id", async () => {
    const r = recorded();
    const tag = (spans: ReturnType<typeof stored>) => spans.map((s) => ({ ...s, request_id: r.globalRequestId }));
    const reader = new CommandSpanReader(file, r);
    // No store yet: nothing, and no error.
    expect(reader.read()).toEqual([]);
    const writer = openTraceWriter(file, { retention: 100 });
    writer.insert(tag(loadTrace("token-issue", T0 - 7.5)));
    setTimeout(() => writer.insert(tag(loadTrace("server-create", T0))), 300); // the collector, a moment later
    const t = Date.now();
    const { spans, missing } = await reader.collect({ quietMs: 200, maxMs: 5000 });
    expect(Date.now() - t).toBeGreaterThanOrEqual(450);
    expect(missing).toEqual([]);
    expect(spans).toHaveLength(stored().length);
    // Spans of other requests (no global id) are not the command's.
    writer.insert(loadTrace("image-upload-error", T0 + 1000));
    expect(reader.read()).toHaveLength(stored().length);
    reader.close();
    writer.close();
  });

  it("gives up after maxMs with what arrived, naming what is missing", async () => {
    const r = recorded();
    const reader = new CommandSpanReader(join(dir, "none.sqlite"), r);
    const { spans, missing } = await reader.collect({ quietMs: 50, maxMs: 300 });
    expect(spans).toEqual([]);
    expect(missing.map((c) => c.requestId)).toEqual([TOKEN_RID, SERVERS_RID]);
  });

  it("opens the live view on the command's trace, focused on its waterfall", async () => {
    const r = recorded();
    const source = new CommandTraceSource(r, file);
    const app = render(
      <TraceWatchApp
        source={source}
        size={{ columns: 100, rows: 30 }}
        intervalMs={25}
        title="os server create --trace"
        initialFocus="trace"
      />,
    );
    try {
      await vi.waitFor(() => expect(app.lastFrame()).toMatch(/os server create\s+285ms · \d+ spans/), { timeout: 5000 });
      const frame = app.lastFrame() ?? "";
      expect(frame.split("\n")[0]).toMatch(/^os server create --trace · 1 requests/);
      // Narrow terminal and focus on the trace: the waterfall, not the request list.
      expect(frame).toMatch(/›os server create/);
      expect(frame).not.toContain("REQUEST");
    } finally {
      app.unmount();
      source.close();
    }
  });
});
