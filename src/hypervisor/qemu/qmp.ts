import { type Socket, createConnection } from "node:net";

/** A QMP event ({"event": "SHUTDOWN", "data": {...}, "timestamp": {...}}). */
export interface QmpEvent {
  event: string;
  data?: Record<string, unknown>;
  timestamp?: { seconds: number; microseconds: number };
}

export class QmpError extends Error {
  override name = "QmpError";
  constructor(
    readonly command: string,
    readonly errorClass: string,
    desc: string,
  ) {
    super(`QMP ${command}: ${errorClass}: ${desc}`);
  }
}

/** The monitor went away (QEMU exited or another client holds the socket). */
export class QmpClosed extends Error {
  override name = "QmpClosed";
}

interface Pending {
  command: string;
  resolve: (v: unknown) => void;
  reject: (e: Error) => void;
}

/**
 * A QEMU Machine Protocol client over the guest's unix socket: greeting, qmp_capabilities, then
 * commands tagged with an id, because events arrive interleaved with replies.
 */
export class QmpClient {
  private sock?: Socket;
  private buf = "";
  private nextId = 1;
  private readonly pending = new Map<string, Pending>();
  private readonly listeners = new Set<(e: QmpEvent) => void>();
  private closeListeners = new Set<() => void>();
  closed = false;

  constructor(readonly path: string) {}

  /** Connect, retrying until `timeoutMs` (the socket appears a few hundred ms after QEMU starts). */
  async connect(timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      try {
        await this.open();
        return;
      } catch (err) {
        if (Date.now() > deadline) throw err;
        await new Promise((r) => setTimeout(r, 50));
      }
    }
  }

  private open(): Promise<void> {
    return new Promise((resolve, reject) => {
      const sock = createConnection(this.path);
      let greeted = false;
      const fail = (err: Error) => {
        if (!greeted) reject(err);
      };
      sock.once("error", fail);
      sock.setEncoding("utf8");
      sock.on("data", (chunk: string) => {
        this.buf += chunk;
        for (let nl = this.buf.indexOf("\n"); nl >= 0; nl = this.buf.indexOf("\n")) {
          const line = this.buf.slice(0, nl).trim();
          this.buf = this.buf.slice(nl + 1);
          if (!line) continue;
          const msg = JSON.parse(line) as Record<string, unknown>;
          if (!greeted && "QMP" in msg) {
            greeted = true;
            this.sock = sock;
            sock.off("error", fail);
            sock.on("error", () => {});
            this.execute("qmp_capabilities").then(() => resolve(), reject);
            continue;
          }
          this.dispatch(msg);
        }
      });
      sock.on("close", () => {
        if (!greeted) reject(new QmpClosed(`QMP socket ${this.path} closed before the greeting`));
        this.closed = true;
        for (const p of this.pending.values()) p.reject(new QmpClosed(`QMP ${p.command}: monitor closed`));
        this.pending.clear();
        for (const l of this.closeListeners) l();
      });
    });
  }

  private dispatch(msg: Record<string, unknown>): void {
    if (typeof msg.event === "string") {
      for (const l of this.listeners) l(msg as unknown as QmpEvent);
      return;
    }
    const id = String(msg.id ?? "");
    const p = this.pending.get(id);
    if (!p) return;
    this.pending.delete(id);
    const err = msg.error as { class: string; desc: string } | undefined;
    if (err) p.reject(new QmpError(p.command, err.class, err.desc));
    else p.resolve(msg.return);
  }

  execute<T = unknown>(command: string, args?: Record<string, unknown>): Promise<T> {
    const sock = this.sock;
    if (!sock || this.closed) return Promise.reject(new QmpClosed(`QMP ${command}: not connected`));
    const id = String(this.nextId++);
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { command, resolve: resolve as (v: unknown) => void, reject });
      sock.write(`${JSON.stringify(args ? { execute: command, arguments: args, id } : { execute: command, id })}\n`);
    });
  }

  onEvent(listener: (e: QmpEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  onClose(listener: () => void): void {
    this.closeListeners.add(listener);
  }

  close(): void {
    this.sock?.destroy();
  }
}
