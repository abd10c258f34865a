import type { Push } from "zeromq";
import { log } from "../log.js";
import { encodeBatch, zmqEndpoint } from "./collector-protocol.js";
import type { SpanRecord } from "./span.js";
import type { SpanSink } from "./tracer.js";

export interface SpanExporterOptions {
  /** Spans per message; a full batch is sent at once, a partial one after flushIntervalMs. */
  batchSize?: number;
  flushIntervalMs?: number;
  /** Spans held in memory while the collector is away; beyond this new spans are dropped (and counted). */
  maxQueued?: number;
  /** Batches ZeroMQ itself holds for an absent collector before the exporter's own queue fills. */
  highWaterMark?: number;
  /** How long close() waits for the last batches to be handed to ZeroMQ. */
  closeTimeoutMs?: number;
}

export interface ExporterStats {
  sent: number;
  dropped: number;
  queued: number;
}

export interface SpanExporter {
  sink: SpanSink;
  /** Send what is queued (bounded by closeTimeoutMs), then close the socket. */
  close(): Promise<void>;
  stats(): ExporterStats;
}

/**
 * Ships finished spans to the collector: a ZeroMQ PUSH socket to [trace] collector_url, spans batched.
 * The sink is on every request's hot path, so it only appends to an array: it never blocks, never throws,
 * and when the collector is away and the queue is full it drops spans and counts them. ZeroMQ (and its
 * native addon) is loaded and the socket opened on the first span, so a process that records nothing —
 * the collector itself — never opens one.
 */
export function createSpanExporter(collectorUrl: string, opts: SpanExporterOptions = {}): SpanExporter {
  const endpoint = zmqEndpoint(collectorUrl);
  const batchSize = opts.batchSize ?? 200;
  const flushIntervalMs = opts.flushIntervalMs ?? 50;
  const maxQueued = opts.maxQueued ?? 10_000;
  const closeTimeoutMs = opts.closeTimeoutMs ?? 1000;

  let queue: SpanRecord[] = [];
  let socket: Push | undefined;
  let connecting: Promise<void> | undefined;
  let broken = false;
  let closed = false; // no new spans
  let finished = false; // socket closed for good
  let timer: NodeJS.Timeout | undefined;
  let immediate: NodeJS.Immediate | undefined;
  let sending: Promise<void> | undefined;
  let sent = 0;
  let inFlight = 0;
  let dropped = 0;
  let lastWarning = 0;

  const drop = (n: number, why: string) => {
    dropped += n;
    const now = Date.now();
    if (now - lastWarning > 10_000) {
      lastWarning = now;
      log.warning(`trace exporter: ${why}; ${dropped} span(s) dropped so far`);
    }
  };

  const connect = () => {
    connecting ??= import("zeromq").then(
      ({ Push }) => {
        if (finished) return;
        socket = new Push({ linger: 500, sendHighWaterMark: opts.highWaterMark ?? 50 });
        socket.connect(endpoint);
        void flush();
      },
      (err: unknown) => {
        broken = true;
        drop(queue.length, `cannot load zeromq (${(err as Error).message})`);
        queue = [];
      },
    );
  };

  /** Encode a batch; a span whose attributes cannot be encoded is dropped alone, not with its batch. */
  const encode = (batch: SpanRecord[]): Uint8Array | undefined => {
    try {
      return encodeBatch(batch);
    } catch {
      const good = batch.filter((s) => {
        try {
          encodeBatch([s]);
          return true;
        } catch {
          return false;
        }
      });
      drop(batch.length - good.length, "a span could not be encoded");
      return good.length > 0 ? encodeBatch(good) : undefined;
    }
  };

  // One send in flight at a time (ZeroMQ's rule); it waits while the collector is away and its queue is full.
  const flush = (): Promise<void> => {
    if (timer) clearTimeout(timer);
    timer = undefined;
    if (sending || !socket || queue.length === 0) return sending ?? Promise.resolve();
    const sock = socket;
    sending = (async () => {
      while (queue.length > 0) {
        const batch = queue.splice(0, batchSize);
        const frame = encode(batch);
        if (!frame) continue;
        inFlight = batch.length;
        try {
          await sock.send(frame);
          sent += batch.length;
        } catch (err) {
          drop(batch.length + queue.length, `send failed (${(err as Error).message})`);
          queue = [];
        } finally {
          inFlight = 0;
        }
      }
    })().finally(() => {
      sending = undefined;
      // spans that arrived just as the loop ended still get their timer
      if (queue.length > 0 && !timer && !closed) {
        timer = setTimeout(() => void flush(), flushIntervalMs);
        timer.unref();
      }
    });
    return sending;
  };

  const sink: SpanSink = (span) => {
    if (closed || broken) {
      dropped += 1;
      return;
    }
    if (queue.length >= maxQueued) return drop(1, `collector at ${collectorUrl} is not taking spans and the queue is full`);
    queue.push(span);
    if (!socket) return connect();
    if (queue.length >= batchSize) {
      immediate ??= setImmediate(() => {
        immediate = undefined;
        void flush();
      });
    } else if (!timer && !sending) {
      timer = setTimeout(() => void flush(), flushIntervalMs);
      timer.unref();
    }
  };

  const close = async () => {
    if (closed) return;
    closed = true;
    if (timer) clearTimeout(timer);
    if (immediate) clearImmediate(immediate);
    let deadline: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((resolve) => {
      deadline = setTimeout(resolve, closeTimeoutMs);
    });
    try {
      await Promise.race([(connecting ?? Promise.resolve()).then(() => flush()), timeout]);
    } finally {
      clearTimeout(deadline);
      finished = true;
      socket?.close(); // a send still waiting is rejected; ZeroMQ keeps delivering queued batches for `linger` ms
      socket = undefined;
      if (queue.length > 0) drop(queue.length, "closed before the collector took every span");
      queue = [];
    }
  };

  return { sink, close, stats: () => ({ sent, dropped, queued: queue.length + inFlight }) };
}
