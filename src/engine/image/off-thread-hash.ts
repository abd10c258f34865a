import { Worker } from "node:worker_threads";

/**
 * The worker: one hash per upload id. Plain CommonJS evaluated from a string, so it runs the same
 * from src/ (tsx) and dist/.
 */
const WORKER_SOURCE = `
const { parentPort } = require("node:worker_threads");
const { createHash } = require("node:crypto");
const hashes = new Map();
parentPort.on("message", (m) => {
  if (m.type === "start") hashes.set(m.id, createHash(m.algo));
  else if (m.type === "data") {
    hashes.get(m.id)?.update(m.chunk);
    parentPort.postMessage({ type: "ack", id: m.id, bytes: m.chunk.byteLength });
  } else if (m.type === "end") {
    const h = hashes.get(m.id);
    hashes.delete(m.id);
    parentPort.postMessage({ type: "digest", id: m.id, hex: h ? h.digest("hex") : "" });
  } else if (m.type === "abort") hashes.delete(m.id);
});
`;

/** Bytes gathered before one message (fewer, larger messages), and the most in flight before waiting. */
const BATCH = 1024 * 1024;
const MAX_IN_FLIGHT = 8 * 1024 * 1024;

type Pending = { inFlight: number; waiter?: () => void; digest?: (hex: string) => void; fail: (e: Error) => void };
let shared: { worker: Worker; uploads: Map<number, Pending> } | undefined;
let nextId = 1;

function pool() {
  if (shared) return shared;
  const worker = new Worker(WORKER_SOURCE, { eval: true });
  // An idle hasher must not keep the service alive at shutdown.
  worker.unref();
  const uploads = new Map<number, Pending>();
  worker.on("message", (m: { type: string; id: number; bytes?: number; hex?: string }) => {
    const p = uploads.get(m.id);
    if (!p) return;
    if (m.type === "ack") {
      p.inFlight -= m.bytes ?? 0;
      if (p.inFlight <= MAX_IN_FLIGHT / 2 && p.waiter) {
        const w = p.waiter;
        p.waiter = undefined;
        w();
      }
    } else if (m.type === "digest") {
      uploads.delete(m.id);
      p.digest?.(m.hex ?? "");
    }
  });
  const failAll = (err: Error) => {
    for (const p of uploads.values()) p.fail(err);
    uploads.clear();
    shared = undefined;
  };
  worker.on("error", failAll);
  worker.on("exit", () => failAll(new Error("the hashing worker exited")));
  shared = { worker, uploads };
  return shared;
}

/**
 * A hash (e.g. Glance's sha512 multihash) computed on a worker thread while the caller hashes,
 * writes and receives on its own: an upload then uses two cores instead of one. Memory is bounded:
 * `update` returns a promise to wait on when more than a few MiB are not hashed yet.
 */
export class OffThreadHash {
  private readonly id = nextId++;
  private batch: Buffer[] = [];
  private batched = 0;
  private failure?: Error;
  private readonly state: Pending;

  constructor(algo: string) {
    const { worker, uploads } = pool();
    this.state = {
      inFlight: 0,
      fail: (e) => {
        this.failure = e;
        this.state.waiter?.();
      },
    };
    uploads.set(this.id, this.state);
    worker.postMessage({ type: "start", id: this.id, algo });
  }

  /** Feed bytes; when a promise is returned, wait for it before feeding more. */
  update(chunk: Buffer): Promise<void> | undefined {
    if (this.failure) return Promise.reject(this.failure);
    this.batch.push(chunk);
    this.batched += chunk.length;
    if (this.batched >= BATCH) this.flush();
    if (this.state.inFlight <= MAX_IN_FLIGHT) return undefined;
    return new Promise((resolve, reject) => {
      this.state.waiter = () => (this.failure ? reject(this.failure) : resolve());
    });
  }

  async digest(): Promise<string> {
    this.flush();
    if (this.failure) throw this.failure;
    const { worker } = pool();
    return new Promise((resolve, reject) => {
      this.state.digest = resolve;
      this.state.fail = reject;
      worker.postMessage({ type: "end", id: this.id });
    });
  }

  /** Forget an upload that failed. */
  abort(): void {
    shared?.uploads.delete(this.id);
    shared?.worker.postMessage({ type: "abort", id: this.id });
  }

  private flush(): void {
    if (this.batched === 0) return;
    // One copy into a fresh buffer, whose memory moves to the worker (no second copy).
    const chunk = this.batch.length === 1 ? Buffer.from(this.batch[0] as Buffer) : Buffer.concat(this.batch, this.batched);
    const bytes = new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    this.state.inFlight += chunk.byteLength;
    this.batch = [];
    this.batched = 0;
    pool().worker.postMessage({ type: "data", id: this.id, chunk: bytes }, chunk.byteOffset === 0 && chunk.byteLength === chunk.buffer.byteLength ? [chunk.buffer] : []);
  }
}
