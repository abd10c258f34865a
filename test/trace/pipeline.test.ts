// Spans from two HTTP services (built with the paste pipeline) travel through the exporter to a real
// collector process, land in the trace database with the right parent ids, and `os trace` shows them.
import { mkdtempSync, rmSync } from "node:fs";
import type { Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import "../../src/engine/common/http/filters.js";
import { loadAppFromString } from "../../src/engine/common/http/paste.js";
import { registerApp } from "../../src/engine/common/http/registry.js";
import { serve } from "../../src/engine/common/http/server.js";
import { json } from "../../src/engine/common/http/types.js";
import { layout } from "../../src/engine/common/paths.js";
import { type SpanExporter, createSpanExporter } from "../../src/engine/common/trace/exporter.js";
import { type SpanRecord, formatTraceparent } from "../../src/engine/common/trace/span.js";
import { configureTracer, newSpanId, newTraceId, withSpan } from "../../src/engine/common/trace/tracer.js";
import { cliArgv } from "../helpers/runtime.js";
import { type CollectorProcess, freePort, repoRoot, spawnCollector, waitFor } from "./helpers.js";

const paste = (app: string) => `
[pipeline:main]
pipeline = request_id faultwrap trace ${app}
[filter:request_id]
paste.filter_factory = pocketstack.request_id
[filter:faultwrap]
paste.filter_factory = pocketstack.faultwrap
[filter:trace]
paste.filter_factory = pocketstack.trace
[app:${app}]
paste.app_factory = test.${app}
`;

let home: string;
let dbFile: string;
let collector: CollectorProcess;
let exporter: SpanExporter;
const servers: Server[] = [];
let frontUrl = "";

const spansOf = (traceId: string): SpanRecord[] => {
  const db = new Database(dbFile, { readonly: true });
  try {
    return (
      db.prepare("SELECT * FROM spans WHERE trace_id = ? ORDER BY start").all(traceId) as Array<SpanRecord & { attributes: string }>
    ).map((r) => ({ ...r, attributes: JSON.parse(r.attributes as unknown as string) }));
  } finally {
    db.close();
  }
};

const os = (...args: string[]) => execa(process.execPath, cliArgv(...args, "--state-dir", home), { cwd: repoRoot, reject: false });

beforeAll(async () => {
  home = mkdtempSync(join(tmpdir(), "pocketstack-trace-"));
  dbFile = layout(home).db("trace");
  const port = await freePort();
  const url = `zmq://127.0.0.1:${port}`;
  collector = await spawnCollector(home, [`trace.collector_url=${url}`, "trace.retention=10"]);
  exporter = createSpanExporter(url);
  configureTracer({ service: "nova-api", host: "testhost", sink: exporter.sink });

  // "glance": answers, or fails on /images/broken
  registerApp(
    "test.back",
    () => async (req) =>
      withSpan(
        "ImagesController.show",
        "internal",
        async () => {
          if (req.path.endsWith("/broken")) throw new Error("image store unreachable");
          return json(200, { image: { id: req.path.split("/").pop() } });
        },
        { service: "glance" },
      ),
  );
  const back = await serve(await loadAppFromString(paste("back")), 0);
  servers.push(back);
  const backUrl = `http://127.0.0.1:${(back.address() as { port: number }).port}`;

  // "nova-api": calls glance the way a service client does (traceparent + global request id)
  registerApp(
    "test.front",
    () => async (req) =>
      withSpan("ServersController.show", "internal", async () => {
        const image = req.path.split("/").pop();
        const status = await withSpan(`GET ${backUrl}/v2/images/${image}`, "http", async (span) => {
          const res = await fetch(`${backUrl}/v2/images/${image}`, {
            headers: { traceparent: formatTraceparent(span.context), "x-openstack-request-id": String(req.environ.request_id) },
          });
          await res.arrayBuffer();
          span.set("http.status", res.status);
          return res.status;
        });
        return json(status === 200 ? 200 : 500, { server: { image_status: status } });
      }),
  );
  const front = await serve(await loadAppFromString(paste("front")), 0);
  servers.push(front);
  frontUrl = `http://127.0.0.1:${(front.address() as { port: number }).port}`;
}, 60_000);

afterAll(async () => {
  for (const s of servers) s.close();
  await exporter?.close();
  configureTracer({ service: "test", host: "testhost" });
  await collector?.stop();
  if (home) rmSync(home, { recursive: true, force: true });
});

describe("a request across two services", () => {
  const clientTrace = newTraceId();
  const clientSpan = newSpanId();
  let requestId = "";
  let failedRequestId = "";

  it("stores every span in the collector's database with the right parents", async () => {
    const res = await fetch(`${frontUrl}/servers/img-1`, { headers: { traceparent: `00-${clientTrace}-${clientSpan}-01` } });
    expect(res.status).toBe(200);
    requestId = res.headers.get("x-openstack-request-id") ?? "";
    expect(requestId).toMatch(/^req-/);

    const spans = await waitFor("5 spans in the trace database", () => {
      const s = spansOf(clientTrace);
      return s.length === 5 && s;
    });
    const byName = (n: string) => spans.find((s) => s.name.startsWith(n)) as SpanRecord;
    const frontWsgi = byName("GET /servers/img-1");
    const controller = byName("ServersController.show");
    const hop = byName("GET http://");
    const backWsgi = byName("GET /v2/images/img-1");
    const image = byName("ImagesController.show");

    expect(frontWsgi.parent_id).toBe(clientSpan); // child of the caller's traceparent
    expect(controller.parent_id).toBe(frontWsgi.span_id);
    expect(hop.parent_id).toBe(controller.span_id);
    expect(backWsgi.parent_id).toBe(hop.span_id); // the HTTP hop: traceparent carried the http span's id
    expect(image.parent_id).toBe(backWsgi.span_id);
    expect(spans.map((s) => s.kind).sort()).toEqual(["http", "internal", "internal", "wsgi", "wsgi"]);

    // one global request id ties both services together; glance's own id stays in its wsgi span
    for (const s of spans) expect(s.request_id).toBe(requestId);
    expect(backWsgi.attributes.request_id).toMatch(/^req-/);
    expect(backWsgi.attributes.request_id).not.toBe(requestId);
    expect(frontWsgi.attributes["http.status"]).toBe(200);
    expect(image.service).toBe("glance");
    expect(frontWsgi.host).toBe("testhost");
    expect(frontWsgi.pid).toBe(process.pid);
    expect(frontWsgi.end).toBeGreaterThanOrEqual(hop.end);
  });

  it("records a failure downstream as an error on the failing spans", async () => {
    const res = await fetch(`${frontUrl}/servers/broken`);
    expect(res.status).toBe(500);
    failedRequestId = res.headers.get("x-openstack-request-id") ?? "";
    const spans = await waitFor("the failed request's spans", () => {
      const db = new Database(dbFile, { readonly: true });
      const rows = db.prepare("SELECT name, error FROM spans WHERE request_id = ?").all(failedRequestId) as Array<{
        name: string;
        error: string | null;
      }>;
      db.close();
      return rows.length === 5 && rows;
    });
    expect(spans.find((s) => s.name === "ImagesController.show")?.error).toBe("Error: image store unreachable");
    expect(spans.find((s) => s.name === "GET /servers/broken")?.error).toBe("HTTP 500");
  });

  it("`os trace list` and `os trace show` read them back", async () => {
    const [table, listJson, tree, treeJson, unknown, badId] = await Promise.all([
      os("trace", "list"),
      os("trace", "list", "-f", "json"),
      os("trace", "show", requestId),
      os("trace", "show", clientTrace, "-f", "json"),
      os("trace", "show", "req-00000000-0000-4000-8000-000000000000"),
      os("trace", "show", "banana"),
    ]);
    expect(table.exitCode, table.stderr).toBe(0);
    const header = table.stdout.split("\n")[1] ?? ""; // cliff: border line, then the header row
    expect(
      header
        .split(/[|│]/)
        .map((c) => c.trim())
        .filter(Boolean),
    ).toEqual(["Request ID", "Method", "Path", "Status", "Duration", "Spans", "Services"]);

    const rows = JSON.parse(listJson.stdout) as Array<Record<string, unknown>>;
    expect(rows.map((r) => r["Request ID"])).toEqual([failedRequestId, requestId]); // newest first, one row per trace
    expect(rows[1]).toMatchObject({ Method: "GET", Path: "/servers/img-1", Status: 200, Spans: 5, Services: "nova-api, glance" });
    expect(rows[1]?.Duration).toMatch(/^\d+\.\d ms$/);
    expect(rows[0]?.Status).toBe(500);

    expect(tree.exitCode, tree.stderr).toBe(0);
    const lines = tree.stdout.trimEnd().split("\n");
    expect(lines[0]).toContain(`Trace ${clientTrace}`);
    expect(lines[0]).toContain(`request ${requestId}`);
    expect(lines.slice(1).map((l) => l.split(/\s{2,}(?=\S+@)/)[0])).toEqual([
      "GET /servers/img-1",
      "└─ ServersController.show",
      expect.stringMatching(/^ {3}└─ GET http:\/\/127\.0\.0\.1:\d+\/v2\/images\/img-1$/),
      "      └─ GET /v2/images/img-1",
      "         └─ ImagesController.show",
    ]);
    expect(lines[1]).toMatch(new RegExp(`nova-api@testhost \\(${process.pid}\\)\\s+wsgi\\s+\\d+\\.\\d ms\\s+\\+0\\.0 ms$`));
    expect(lines[5]).toMatch(/glance@testhost/);

    const forest = JSON.parse(treeJson.stdout) as Array<{ name: string; span_id: string; children: Array<{ parent_id: string }> }>;
    expect(forest).toHaveLength(1);
    expect(forest[0]?.name).toBe("GET /servers/img-1");
    expect(forest[0]?.children[0]?.parent_id).toBe(forest[0]?.span_id);

    expect(unknown.exitCode).toBe(1);
    expect(unknown.stderr.trim()).toBe("No trace with a request ID or trace ID of 'req-00000000-0000-4000-8000-000000000000' exists.");
    expect(badId.exitCode).toBe(1);
    expect(badId.stderr.trim().split("\n")).toHaveLength(1);

    const failed = await os("trace", "show", failedRequestId);
    expect(failed.stdout).toMatch(/ImagesController\.show .*ERROR: Error: image store unreachable/);
  }, 60_000);

  it("keeps only [trace] retention traces, dropping the oldest", async () => {
    const ids: string[] = [];
    for (let i = 0; i < 15; i++) {
      await withSpan(`periodic ${i}`, "internal", async (span) => {
        ids.push(span.context.traceId);
      });
    }
    const last = ids.at(-1) as string;
    await waitFor("the last trace", () => spansOf(last).length === 1);
    const db = new Database(dbFile, { readonly: true });
    const kept = db.prepare("SELECT DISTINCT trace_id FROM spans").pluck().all() as string[];
    db.close();
    expect(kept.sort()).toEqual(ids.slice(-10).sort());
  });
});
