// `os trace export`: OTLP JSON (checked against a schema of the protobuf JSON mapping), Chrome trace
// events (well-formed, nesting per thread as Perfetto requires), and the HTML page; plus the command.
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import Ajv from "ajv";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openTraceWriter } from "../../src/engine/common/trace/store.js";
import { toChromeTrace } from "../../src/tui/export/chrome.js";
import { toHtml } from "../../src/tui/export/html.js";
import { toOtlp, unixNano } from "../../src/tui/export/otlp.js";
import { cliArgv } from "../helpers/runtime.js";
import { allFixtures, loadTrace } from "./fixtures.js";

const run = promisify(execFile);
const repo = join(import.meta.dirname, "..", "..");

// ExportTraceServiceRequest in the OTLP/JSON encoding (opentelemetry-proto's JSON mapping): lowerCamelCase
// field names, hex ids, 64-bit integers as decimal strings, enums as integers.
const anyValue = {
  type: "object",
  minProperties: 1,
  maxProperties: 1,
  properties: {
    stringValue: { type: "string" },
    boolValue: { type: "boolean" },
    intValue: { type: "string", pattern: "^-?\\d+$" },
    doubleValue: { type: "number" },
    arrayValue: { type: "object", properties: { values: { type: "array", items: { $ref: "#/$defs/anyValue" } } }, required: ["values"] },
    kvlistValue: { type: "object", properties: { values: { type: "array", items: { $ref: "#/$defs/keyValue" } } }, required: ["values"] },
  },
  additionalProperties: false,
};
const OTLP_SCHEMA = {
  $defs: {
    anyValue,
    keyValue: {
      type: "object",
      properties: { key: { type: "string" }, value: { $ref: "#/$defs/anyValue" } },
      required: ["key", "value"],
      additionalProperties: false,
    },
  },
  type: "object",
  required: ["resourceSpans"],
  additionalProperties: false,
  properties: {
    resourceSpans: {
      type: "array",
      minItems: 1,
      items: {
        type: "object",
        required: ["resource", "scopeSpans"],
        additionalProperties: false,
        properties: {
          resource: {
            type: "object",
            properties: { attributes: { type: "array", items: { $ref: "#/$defs/keyValue" } } },
            additionalProperties: false,
          },
          schemaUrl: { type: "string" },
          scopeSpans: {
            type: "array",
            items: {
              type: "object",
              required: ["spans"],
              additionalProperties: false,
              properties: {
                scope: {
                  type: "object",
                  properties: { name: { type: "string" }, version: { type: "string" } },
                  additionalProperties: false,
                },
                spans: {
                  type: "array",
                  items: {
                    type: "object",
                    required: ["traceId", "spanId", "name", "kind", "startTimeUnixNano", "endTimeUnixNano"],
                    additionalProperties: false,
                    properties: {
                      traceId: { type: "string", pattern: "^[0-9a-f]{32}$" },
                      spanId: { type: "string", pattern: "^[0-9a-f]{16}$" },
                      parentSpanId: { type: "string", pattern: "^[0-9a-f]{16}$" },
                      traceState: { type: "string" },
                      name: { type: "string", minLength: 1 },
                      kind: { type: "integer", minimum: 0, maximum: 5 },
                      startTimeUnixNano: { type: "string", pattern: "^\\d{19}$" },
                      endTimeUnixNano: { type: "string", pattern: "^\\d{19}$" },
                      attributes: { type: "array", items: { $ref: "#/$defs/keyValue" } },
                      status: {
                        type: "object",
                        properties: { code: { type: "integer", enum: [0, 1, 2] }, message: { type: "string" } },
                        additionalProperties: false,
                      },
                    },
                  },
                },
              },
            },
          },
        },
      },
    },
  },
};

describe("OTLP JSON", () => {
  const spans = loadTrace("server-create");
  const otlp = toOtlp(spans);

  it("validates against the OTLP/JSON schema", () => {
    const validate = new Ajv({ allErrors: true }).compile(OTLP_SCHEMA);
    expect(validate(JSON.parse(JSON.stringify(otlp))), JSON.stringify(validate.errors)).toBe(true);
  });

  it("has one resource per process, every span once, with exact times, kinds and the error status", () => {
    const services = otlp.resourceSpans.map((r) => r.resource.attributes.find((a) => a.key === "service.name")?.value);
    expect(services).toEqual(
      expect.arrayContaining([{ stringValue: "nova-api" }, { stringValue: "nova-compute" }, { stringValue: "placement" }]),
    );
    const all = otlp.resourceSpans.flatMap((r) => r.scopeSpans.flatMap((s) => s.spans));
    expect(all).toHaveLength(spans.length);
    const root = all.find((s) => s.name === "POST /v2.1/servers");
    expect(root).toMatchObject({ kind: 2, traceId: "4bf92f3577b34da6a3ce929d0e0e4736", startTimeUnixNano: unixNano(spans[0]?.start ?? 0) });
    expect(root?.parentSpanId).toBeUndefined();
    expect(BigInt(root?.endTimeUnixNano ?? 0) - BigInt(root?.startTimeUnixNano ?? 0)).toBe(182_000_000n);
    expect(root?.attributes).toContainEqual({ key: "http.status", value: { intValue: "202" } });
    expect(all.find((s) => s.name === "conductor.schedule_and_build_instances")?.kind).toBe(4); // cast: PRODUCER
    expect(all.find((s) => s.name === "ComputeTaskManager.schedule_and_build_instances")?.kind).toBe(5); // CONSUMER
    expect(all.find((s) => s.name === "scheduler.select_destinations")?.kind).toBe(3); // call: CLIENT
    const failed = toOtlp(loadTrace("image-upload-error")).resourceSpans.flatMap((r) => r.scopeSpans.flatMap((s) => s.spans));
    expect(failed.find((s) => s.name === "glance_store.add")?.status).toEqual({ code: 2, message: expect.stringContaining("StorageFull") });
  });
});

describe("Chrome trace events", () => {
  const spans = allFixtures();
  const trace = JSON.parse(JSON.stringify(toChromeTrace(spans))) as ReturnType<typeof toChromeTrace>;

  it("has a complete event per span with µs times and names for processes", () => {
    const complete = trace.traceEvents.filter((e) => e.ph === "X");
    expect(complete).toHaveLength(spans.length);
    for (const e of complete) {
      expect(typeof e.name).toBe("string");
      expect(Number.isInteger(e.ts) && Number.isInteger(e.dur) && (e.dur ?? -1) >= 0).toBe(true);
      expect(Number.isInteger(e.pid) && Number.isInteger(e.tid) && e.tid > 0).toBe(true);
    }
    const spawn = complete.find((e) => e.name === "spawn");
    expect(spawn).toMatchObject({ pid: 4601, cat: "driver", dur: 2_020_300 });
    const names = trace.traceEvents.filter((e) => e.ph === "M" && e.name === "process_name").map((e) => e.args?.name);
    expect(names).toEqual(expect.arrayContaining(["nova-api@controller", "nova-compute@compute1", "keystone@controller"]));
  });

  it("nests events on each thread (no partial overlaps), as the trace viewer needs", () => {
    const byThread = new Map<string, Array<{ ts: number; end: number }>>();
    for (const e of trace.traceEvents.filter((x) => x.ph === "X")) {
      const k = `${e.pid}/${e.tid}`;
      byThread.set(k, [...(byThread.get(k) ?? []), { ts: e.ts ?? 0, end: (e.ts ?? 0) + (e.dur ?? 0) }]);
    }
    for (const events of byThread.values()) {
      for (const a of events)
        for (const b of events) {
          const overlap = a.ts < b.end && b.ts < a.end;
          const nested = (a.ts <= b.ts && b.end <= a.end) || (b.ts <= a.ts && a.end <= b.end);
          expect(!overlap || nested).toBe(true);
        }
    }
  });
});

describe("HTML page", () => {
  it("is self-contained and lists every span with its bar, duration and explanation", () => {
    const html = toHtml(loadTrace("server-create"));
    expect(html.startsWith("<!doctype html>")).toBe(true);
    expect(html).not.toMatch(/(src|href)=["']?(https?:)?\/\//);
    expect(html.match(/class="row/g)).toHaveLength(51);
    expect(html).toContain("_create_domain_and_network");
    expect(html).toContain("The virt driver (QEMU here) creates the guest");
    expect(html).toContain("2.30s");
  });

  it("escapes what spans carry", () => {
    const [s] = loadTrace("token-issue");
    if (!s) throw new Error("fixture is empty");
    const html = toHtml([{ ...s, name: "<script>alert(1)</script>" }]);
    expect(html).not.toContain("<script>alert(1)");
    expect(html).toContain("&#60;script&#62;");
  });
});

describe("os trace export / purge (CLI)", () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "pocketstack-export-"));
    const w = openTraceWriter(join(dir, "db", "trace.sqlite"), { retention: 1000 });
    w.insert(allFixtures());
    w.close();
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const os = (...args: string[]) =>
    run(process.execPath, cliArgv(...args, "--state-dir", dir), { cwd: repo, timeout: 60_000 }).then(
      (r) => ({ code: 0, ...r }),
      (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr }),
    );

  it("exports by request id to stdout and to a file, and rejects bad ids and formats", async () => {
    const otlp = await os("trace", "export", "req-3f2b8c1d-6a4e-4f5b-9c7d-1e2f3a4b5c6d", "--format", "otlp");
    expect(otlp.code).toBe(0);
    expect(JSON.parse(otlp.stdout).resourceSpans.length).toBeGreaterThan(5);
    const file = join(dir, "t.html");
    const html = await os("trace", "export", "4bf92f3577b34da6a3ce929d0e0e4736", "-f", "html", "--output", file);
    expect(html.code).toBe(0);
    expect(readFileSync(file, "utf8")).toContain("POST /v2.1/servers");
    const bad = await os("trace", "export", "nope", "-f", "chrome");
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain("'nope' is neither a request ID");
    const missing = await os("trace", "export", "0123456789abcdef0123456789abcdef");
    expect(missing.stderr).toContain("No trace with a request ID or trace ID of '0123456789abcdef0123456789abcdef' exists.");
    const fmt = await os("trace", "export", "4bf92f3577b34da6a3ce929d0e0e4736", "-f", "xml");
    expect(fmt.code).toBe(2);
  }, 150_000);

  it("purges traces older than an age, then all", async () => {
    expect((await os("trace", "purge", "--older-than", "soon")).stderr).toContain("is not an age like 90s, 30m, 12h, 7d or 2w");
    const none = await os("trace", "purge", "--older-than", "520w", "-f", "json");
    expect(JSON.parse(none.stdout)).toEqual({ "Traces deleted": 0, "Spans deleted": 0 });
    const all = await os("trace", "purge", "--older-than", "1d", "-f", "json"); // the fixtures are from January 2026
    expect(JSON.parse(all.stdout)).toEqual({ "Traces deleted": 3, "Spans deleted": 59 });
    expect((await os("trace", "list", "-f", "json")).stdout.trim()).toBe("[]");
  }, 150_000);
});
