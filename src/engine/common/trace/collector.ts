import { Pull } from "zeromq";
import type { OpenOptions } from "../db/database.js";
import { log } from "../log.js";
import { decodeBatch, zmqEndpoint } from "./collector-protocol.js";
import type { SpanRecord } from "./span.js";
import { openTraceWriter } from "./store.js";

export interface CollectorOptions {
  /** [trace] collector_url: where every exporter pushes. */
  url: string;
  dbFile: string;
  /** Traces kept; older ones are deleted as new ones arrive. */
  retention: number;
  db?: OpenOptions;
}

export interface CollectorStats {
  received: number;
  stored: number;
  rejected: number;
  pruned: number;
}

export interface Collector {
  endpoint: string;
  stats(): CollectorStats;
  close(): Promise<void>;
}

/** Spans gathered before a write is forced, whatever the event loop is doing. */
const MAX_PENDING = 5000;

/**
 * The trace collector: PULLs span batches from every service's exporter and writes them to the trace
 * database. Batches that arrive together (one event-loop turn) go into one transaction, which is what
 * keeps SQLite fast here: one commit per burst, not per span.
 */
export async function startCollector(opts: CollectorOptions): Promise<Collector> {
  const endpoint = zmqEndpoint(opts.url);
  const writer = openTraceWriter(opts.dbFile, { retention: opts.retention, db: opts.db });
  const socket = new Pull({ linger: 0, receiveHighWaterMark: 1000 });
  try {
    await socket.bind(endpoint);
  } catch (err) {
    socket.close();
    writer.close();
    throw new Error(`trace collector cannot listen on ${endpoint}: ${(err as Error).message}`);
  }

  const stats: CollectorStats = { received: 0, stored: 0, rejected: 0, pruned: 0 };
  let pending: SpanRecord[] = [];
  let scheduled: NodeJS.Immediate | undefined;
  let closing = false;

  const write = () => {
    if (scheduled) clearImmediate(scheduled);
    scheduled = undefined;
    if (pending.length === 0) return;
    const batch = pending;
    pending = [];
    try {
      const { stored, pruned } = writer.insert(batch);
      stats.stored += stored;
      stats.pruned += pruned;
    } catch (err) {
      stats.rejected += batch.length;
      log.error(`trace collector: could not store ${batch.length} span(s): ${(err as Error).message}`);
    }
  };

  const receiving = (async () => {
    try {
      for await (const [frame] of socket) {
        if (!frame) continue;
        try {
          const { spans, rejected } = decodeBatch(frame);
          stats.received += spans.length;
          stats.rejected += rejected;
          if (rejected > 0) log.warning(`trace collector: ${rejected} malformed span(s) ignored`);
          pending.push(...spans);
        } catch (err) {
          stats.rejected += 1;
          log.warning(`trace collector: ignored a message: ${(err as Error).message}`);
          continue;
        }
        if (pending.length >= MAX_PENDING) write();
        else scheduled ??= setImmediate(write);
      }
    } catch (err) {
      if (!closing) log.error(`trace collector: receive loop stopped: ${(err as Error).message}`);
    }
  })();

  return {
    endpoint,
    stats: () => ({ ...stats }),
    async close() {
      if (closing) return;
      closing = true;
      socket.close();
      await receiving;
      write();
      writer.close();
    },
  };
}
