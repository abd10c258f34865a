// The exporter on its own: batching, flushing, and what happens when the collector is away.
import { afterEach, describe, expect, it } from "vitest";
import { Pull } from "zeromq";
import { decodeBatch } from "../../src/engine/common/trace/collector-protocol.js";
import { type SpanExporter, createSpanExporter } from "../../src/engine/common/trace/exporter.js";
import type { SpanRecord } from "../../src/engine/common/trace/span.js";
import { newSpanId, newTraceId } from "../../src/engine/common/trace/tracer.js";
import { freePort } from "./helpers.js";

const span = (i: number, attributes: Record<string, unknown> = {}): SpanRecord => ({
  trace_id: newTraceId(),
  span_id: newSpanId(),
  parent_id: null,
  request_id: null,
  service: "test",
  host: "h",
  pid: 1,
  name: `span ${i}`,
  kind: "internal",
  start: Date.now(),
  end: Date.now() + 1,
  attributes,
  error: null,
});

const open: Array<{ close(): unknown }> = [];
afterEach(async () => {
  for (const o of open.splice(0)) await o.close();
});

async function pullOn(port: number): Promise<Pull> {
  const pull = new Pull({ linger: 0 });
  await pull.bind(`tcp://127.0.0.1:${port}`);
  open.push(pull);
  return pull;
}

/** Receive batches until `count` spans came in; returns each batch's spans. */
async function receive(pull: Pull, count: number, timeoutMs = 5000): Promise<SpanRecord[][]> {
  const batches: SpanRecord[][] = [];
  const deadline = setTimeout(() => pull.close(), timeoutMs);
  try {
    while (batches.flat().length < count) {
      const [frame] = await pull.receive();
      batches.push(decodeBatch(frame as Buffer).spans);
    }
  } finally {
    clearTimeout(deadline);
  }
  return batches;
}

function exporterTo(port: number, opts = {}): SpanExporter {
  const e = createSpanExporter(`zmq://127.0.0.1:${port}`, opts);
  open.push(e);
  return e;
}

describe("span exporter", () => {
  it("sends spans in batches of at most 200, and a partial batch on its timer", async () => {
    const port = await freePort();
    const pull = await pullOn(port);
    const e = exporterTo(port);
    for (let i = 0; i < 450; i++) e.sink(span(i));
    const batches = await receive(pull, 450);
    expect(batches.map((b) => b.length)).toEqual([200, 200, 50]);
    expect(batches.flat().map((s) => s.name)).toEqual(Array.from({ length: 450 }, (_, i) => `span ${i}`));

    // a lone span is not held back waiting for company
    const t0 = performance.now();
    e.sink(span(450));
    const [[late]] = await receive(pull, 1);
    expect(late?.name).toBe("span 450");
    expect(performance.now() - t0).toBeLessThan(2000);
    expect(e.stats()).toEqual({ sent: 451, dropped: 0, queued: 0 });
  });

  it("flushes what is queued on close", async () => {
    const port = await freePort();
    const pull = await pullOn(port);
    const e = createSpanExporter(`zmq://127.0.0.1:${port}`, { flushIntervalMs: 60_000 });
    for (let i = 0; i < 10; i++) e.sink(span(i));
    await e.close();
    const batches = await receive(pull, 10);
    expect(batches.flat()).toHaveLength(10);
    e.sink(span(99)); // after close: dropped, not thrown
    expect(e.stats().dropped).toBe(1);
  });

  it("never blocks or throws while the collector is away; drops and counts beyond its queue", async () => {
    const port = await freePort(); // nobody listens here
    const e = createSpanExporter(`zmq://127.0.0.1:${port}`, { maxQueued: 1000, highWaterMark: 2 });
    const t0 = performance.now();
    for (let i = 0; i < 20_000; i++) e.sink(span(i));
    const elapsed = performance.now() - t0;
    expect(elapsed).toBeLessThan(1000); // 20k spans appended, nothing waited on the network
    await new Promise((r) => setTimeout(r, 200));
    const { dropped, queued, sent } = e.stats();
    expect(dropped).toBeGreaterThanOrEqual(20_000 - 1000 - 2 * 200 - 200);
    expect(dropped + queued + sent).toBe(20_000);
    const c0 = performance.now();
    await e.close();
    expect(performance.now() - c0).toBeLessThan(2500); // bounded by closeTimeoutMs, not by the absent peer
  });

  it("delivers what it held once the collector comes back", async () => {
    const port = await freePort();
    const e = exporterTo(port);
    for (let i = 0; i < 300; i++) e.sink(span(i));
    await new Promise((r) => setTimeout(r, 150));
    const pull = await pullOn(port);
    const batches = await receive(pull, 300);
    expect(batches.flat().map((s) => s.name)).toEqual(Array.from({ length: 300 }, (_, i) => `span ${i}`));
  });

  it("drops only the span whose attributes cannot be encoded", async () => {
    const port = await freePort();
    const pull = await pullOn(port);
    const e = exporterTo(port);
    e.sink(span(0));
    e.sink(span(1, { bad: 10n }));
    e.sink(span(2));
    const batches = await receive(pull, 2);
    expect(batches.flat().map((s) => s.name)).toEqual(["span 0", "span 2"]);
    expect(e.stats().dropped).toBe(1);
  });

  it("refuses a collector_url it cannot use", () => {
    expect(() => createSpanExporter("http://127.0.0.1:5678")).toThrow(
      /collector_url 'http:\/\/127.0.0.1:5678' is not of the form zmq:\/\/host:port/,
    );
  });
});
