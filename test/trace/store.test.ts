// The trace database: schema, retention, and the queries `os trace` runs; plus the collector in-process.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { Push } from "zeromq";
import { startCollector } from "../../src/engine/common/trace/collector.js";
import { encodeBatch } from "../../src/engine/common/trace/collector-protocol.js";
import { openTraceReader } from "../../src/engine/common/trace/queries.js";
import type { SpanRecord } from "../../src/engine/common/trace/span.js";
import { openTraceWriter } from "../../src/engine/common/trace/store.js";
import { buildSpanForest, renderSpanForest } from "../../src/engine/common/trace/tree.js";
import { freePort, waitFor } from "./helpers.js";

let dir: string;
let file: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "pocketstack-tracedb-"));
  file = join(dir, "db", "trace.sqlite");
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const hex = (n: number, len: number) => n.toString(16).padStart(len, "0");
const sp = (t: number, s: number, over: Partial<SpanRecord> = {}): SpanRecord => ({
  trace_id: hex(t, 32),
  span_id: hex(s, 16),
  parent_id: null,
  request_id: null,
  service: "nova-api",
  host: "controller",
  pid: 100,
  name: `span ${s}`,
  kind: "internal",
  start: 1_000_000 + t * 1000 + s,
  end: 1_000_000 + t * 1000 + s + 10,
  attributes: {},
  error: null,
  ...over,
});

describe("trace store", () => {
  it("has the spans table with indexes for trace id, request id and start", () => {
    openTraceWriter(file, { retention: 10 }).close();
    const db = new Database(file, { readonly: true });
    const cols = (db.prepare("PRAGMA table_info(spans)").all() as Array<{ name: string }>).map((c) => c.name);
    expect(cols).toEqual([
      "trace_id",
      "span_id",
      "parent_id",
      "request_id",
      "service",
      "host",
      "pid",
      "name",
      "kind",
      "start",
      "end",
      "attributes",
      "error",
    ]);
    const plan = (sql: string) =>
      (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all() as Array<{ detail: string }>).map((r) => r.detail).join(" ");
    expect(plan("SELECT * FROM spans WHERE trace_id = 'x'")).toMatch(/USING INDEX/);
    expect(plan("SELECT * FROM spans WHERE request_id = 'x'")).toMatch(/USING INDEX spans_request_id/);
    expect(plan("SELECT * FROM spans WHERE start > 5")).toMatch(/USING INDEX spans_start/);
    db.close();
  });

  it("keeps the newest `retention` traces and deletes every span of the others", () => {
    const w = openTraceWriter(file, { retention: 10 });
    for (let t = 1; t <= 12; t++) w.insert([sp(t, 1), sp(t, 2, { parent_id: hex(1, 16) })]);
    const { pruned } = w.insert([3, 13, 14, 15].flatMap((t) => [sp(t, 3)])); // a late span for trace 3 does not make it new
    expect(pruned).toBe(3 + 2 + 2); // traces 1-2 went earlier; now 3 (with its late span), 4 and 5
    expect(w.traceCount()).toBe(10);
    w.close();
    const db = new Database(file, { readonly: true });
    const traces = db.prepare("SELECT DISTINCT trace_id FROM spans ORDER BY trace_id").pluck().all() as string[];
    expect(traces).toEqual(Array.from({ length: 10 }, (_, i) => hex(i + 6, 32)));
    db.close();
  });

  it("lists requests by their root wsgi span, newest first, and finds spans by any id", () => {
    const w = openTraceWriter(file, { retention: 100 });
    const http = (method: string, path: string, status: number, rid: string) => ({
      "http.method": method,
      "http.path": path,
      "http.status": status,
      request_id: rid,
    });
    const ridA = "req-aaaaaaaa-0000-4000-8000-000000000000";
    const ridB = "req-bbbbbbbb-0000-4000-8000-000000000000";
    const glanceRid = "req-cccccccc-0000-4000-8000-000000000000";
    w.insert([
      // trace 1: nova-api → glance; the root's parent is the client's span (not stored)
      sp(1, 1, {
        kind: "wsgi",
        name: "GET /v2.1/servers",
        parent_id: "ffffffffffffffff",
        request_id: ridA,
        attributes: http("GET", "/v2.1/servers", 200, ridA),
        end: 1_001_001 + 12.34,
      }),
      sp(1, 2, { parent_id: hex(1, 16), request_id: ridA }),
      sp(1, 3, {
        kind: "wsgi",
        service: "glance",
        parent_id: hex(2, 16),
        request_id: ridA,
        attributes: http("GET", "/v2/images", 200, glanceRid),
      }),
      // trace 2: the same global request id, a later call; it failed
      sp(2, 1, {
        kind: "wsgi",
        name: "POST /v2.1/servers",
        request_id: ridA,
        attributes: http("POST", "/v2.1/servers", 500, ridB),
        error: "HTTP 500",
      }),
      // trace 3: a periodic task, not a request
      sp(3, 1, { name: "_heal_instance_info_cache", service: "nova-compute" }),
    ]);
    w.close();

    const r = openTraceReader(file);
    const list = r.listRequests();
    expect(list.map((x) => [x.trace_id, x.method, x.path, x.status, x.spans, x.services])).toEqual([
      [hex(2, 32), "POST", "/v2.1/servers", 500, 1, ["nova-api"]],
      [hex(1, 32), "GET", "/v2.1/servers", 200, 3, ["nova-api", "glance"]],
    ]);
    expect(list[1]?.duration_ms).toBeCloseTo(12.34, 5);
    expect(r.listRequests({ service: "glance" }).map((x) => x.trace_id)).toEqual([hex(1, 32)]);
    expect(r.listRequests({ limit: 1 })).toHaveLength(1);

    expect(r.findSpans(hex(1, 32))).toHaveLength(3);
    expect(r.findSpans(ridA).map((s) => s.trace_id)).toEqual([hex(1, 32), hex(1, 32), hex(1, 32), hex(2, 32)]);
    expect(r.findSpans(glanceRid).map((s) => s.trace_id)).toEqual([hex(1, 32), hex(1, 32), hex(1, 32)]); // glance's own id, from its log
    expect(r.findSpans("req-dddddddd-0000-4000-8000-000000000000")).toEqual([]);

    const text = renderSpanForest(buildSpanForest(r.findSpans(ridA)));
    r.close();
    const [first, second] = text.split("\n\n");
    expect(first?.split("\n")[0]).toBe(`Trace ${hex(1, 32)}  request ${ridA}  3 spans  12.3 ms`);
    expect(
      first
        ?.split("\n")
        .slice(1)
        .map((l) => l.split(/\s{2,}(?=\S+@)/)[0]),
    ).toEqual(["GET /v2.1/servers", "└─ span 2", "   └─ span 3"]);
    expect(second).toMatch(/^POST \/v2\.1\/servers\s+nova-api@controller \(100\)\s+wsgi\s+10\.0 ms\s+\+0\.0 ms\s+ERROR: HTTP 500$/m);
  });

  it("turns a span whose parent never arrived into a root instead of losing it", () => {
    const forest = buildSpanForest([sp(1, 1), sp(1, 2, { parent_id: hex(9, 16) }), sp(1, 3, { parent_id: hex(1, 16) })]);
    expect(forest.map((n) => [n.name, n.children.map((c) => c.name)])).toEqual([
      ["span 1", ["span 3"]],
      ["span 2", []],
    ]);
    expect(forest[1]?.offset_ms).toBe(1);
  });
});

describe("collector", () => {
  it("stores batches and survives messages that are not span batches", async () => {
    const port = await freePort();
    const c = await startCollector({ url: `zmq://127.0.0.1:${port}`, dbFile: file, retention: 50 });
    const push = new Push({ linger: 0 });
    push.connect(`tcp://127.0.0.1:${port}`);
    try {
      await push.send(Buffer.from("not msgpack at all"));
      await push.send(encodeBatch([sp(1, 1), { ...sp(1, 2), kind: "bogus" } as unknown as SpanRecord, sp(1, 3)]));
      await waitFor("2 stored spans", () => c.stats().stored === 2);
      expect(c.stats()).toMatchObject({ received: 2, stored: 2, rejected: 2 });
    } finally {
      push.close();
      await c.close();
    }
    const r = openTraceReader(file);
    expect(r.findSpans(hex(1, 32)).map((s) => s.name)).toEqual(["span 1", "span 3"]);
    r.close();
  });

  it("says which address it could not take", async () => {
    const port = await freePort();
    const first = await startCollector({ url: `zmq://127.0.0.1:${port}`, dbFile: file, retention: 50 });
    try {
      await expect(startCollector({ url: `zmq://127.0.0.1:${port}`, dbFile: join(dir, "other.sqlite"), retention: 50 })).rejects.toThrow(
        `trace collector cannot listen on tcp://127.0.0.1:${port}`,
      );
    } finally {
      await first.close();
    }
  });
});
