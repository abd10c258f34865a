// The watcher's data side: store queries (snapshot, pages, incremental poll), the feed, the filter, explain.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openTraceWriter } from "../../src/engine/common/trace/store.js";
import { openTraceWatchReader, purgeTraces } from "../../src/engine/common/trace/watch-queries.js";
import { explain } from "../../src/tui/data/explain.js";
import { TraceFeed, isOpen, pathOf, statusOf } from "../../src/tui/data/feed.js";
import { parseFilter } from "../../src/tui/data/filter.js";
import { allFixtures, byEnd, loadTrace } from "./fixtures.js";

let dir: string;
let file: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "pocketstack-watchq-"));
  file = join(dir, "db", "trace.sqlite");
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe("watch queries", () => {
  it("summarises the newest traces, pages to older ones, and polls only what is new", () => {
    const w = openTraceWriter(file, { retention: 100 });
    w.insert(allFixtures());
    const r = openTraceWatchReader(file);
    const snap = r.snapshot(2);
    expect(snap.summaries.map((s) => s.root?.name)).toEqual([
      "PUT /v2/images/0d1b3c4e-5f60-4a7b-8c9d-0e1f2a3b4c5d/file",
      "POST /v3/auth/tokens",
    ]);
    expect(snap.summaries[0]).toMatchObject({ spans: 5, errors: 2, services: expect.arrayContaining(["glance", "keystone"]) });
    const older = r.page(10, snap.summaries[1]?.start ?? 0);
    expect(older.map((s) => [s.root?.name, s.spans, s.services.length])).toEqual([["POST /v2.1/servers", 51, 7]]);
    expect(r.since(snap.cursor).spans).toEqual([]);
    const late = { ...loadTrace("token-issue")[0], span_id: "feedfacefeedface", name: "late span" } as ReturnType<typeof loadTrace>[number];
    w.insert([late]);
    const polled = r.since(snap.cursor);
    expect(polled.spans.map((s) => s.name)).toEqual(["late span"]);
    expect(r.since(polled.cursor).spans).toEqual([]);
    w.insert([{ ...late, name: "late span, replaced" }]); // INSERT OR REPLACE: a new rowid, so polled again
    expect(r.since(polled.cursor).spans.map((s) => s.name)).toEqual(["late span, replaced"]);
    r.close();
    w.close();
  });

  it("purges traces by age", () => {
    const w = openTraceWriter(file, { retention: 100 });
    w.insert(loadTrace("server-create", Date.now() - 3_600_000));
    w.insert(loadTrace("token-issue", Date.now()));
    w.close();
    expect(purgeTraces(file, { before: Date.now() - 60_000 })).toEqual({ traces: 1, spans: 51 });
    expect(purgeTraces(file, {})).toEqual({ traces: 1, spans: 3 });
    expect(purgeTraces(join(dir, "nothing.sqlite"), {})).toEqual({ traces: 0, spans: 0 });
  });
});

describe("feed", () => {
  it("builds a request from its spans as they arrive, counting each span once", () => {
    const feed = new TraceFeed();
    const spans = byEnd(loadTrace("server-create"));
    feed.apply(spans.slice(0, 10), 1000);
    const e = feed.get("4bf92f3577b34da6a3ce929d0e0e4736");
    expect(e?.root).toBeNull();
    expect(e && isOpen(e, 1500)).toBe(true);
    feed.apply(spans.slice(5), 2000); // overlapping delivery
    expect(e?.spans).toBe(51);
    expect(e && [pathOf(e), statusOf(e)]).toEqual(["/v2.1/servers", 202]);
    expect(e && isOpen(e, 2000 + 5000)).toBe(false);
  });
});

describe("filter", () => {
  const feed = new TraceFeed();
  feed.apply(allFixtures(), 1);
  const match = (f: string) =>
    feed
      .requests()
      .filter(parseFilter(f))
      .map((e) => pathOf(e));
  it("matches fields and free words", () => {
    expect(match("status:5xx")).toEqual(["/v2/images/0d1b3c4e-5f60-4a7b-8c9d-0e1f2a3b4c5d/file"]);
    expect(match("status:20")).toHaveLength(2);
    expect(match("method:post path:servers")).toEqual(["/v2.1/servers"]);
    expect(match("service:nova-scheduler")).toEqual(["/v2.1/servers"]);
    expect(match("user:a3f1c2d4")).toHaveLength(3);
    expect(match("201")).toEqual(["/v3/auth/tokens"]);
    expect(match("req-7c6b")).toEqual(["/v3/auth/tokens"]);
    expect(match("")).toHaveLength(3);
  });
});

describe("explain", () => {
  it("has a line for each step of the server create chapter, both sides of an RPC, and policy checks", () => {
    const names = [
      "ServersController.create",
      "compute_api.create",
      "_provision_instances",
      "conductor.schedule_and_build_instances",
      "ComputeTaskManager.schedule_and_build_instances",
      "scheduler.select_destinations",
      "select_destinations",
      "ComputeManager.build_and_run_instance",
      "_do_build_and_run_instance",
      "_build_resources",
      "spawn",
      "_create_image",
      "_create_domain_and_network",
      "Guest.create",
      "launch",
      "POST /v3/auth/tokens",
      "GET /v3/auth/tokens",
      "ConductorManager.object_action",
    ];
    for (const name of names) expect(explain({ name, attributes: {} }), name).toBeTruthy();
    expect(
      explain({ name: "policy.enforce x", attributes: { "policy.rule": "os_compute_api:servers:create", "policy.allowed": false } }),
    ).toContain("DENIED");
    expect(explain({ name: "something_unknown", attributes: {} })).toBeUndefined();
  });
});
