import { randomBytes } from "node:crypto";
import { Dealer } from "zeromq";
import type { RequestContext } from "../context.js";
import { log } from "../log.js";
import { withSpan } from "../trace/tracer.js";
import { decodeBody, encodeBody } from "./codec.js";
import { MessagingTimeout, TransportClosed, deserializeError } from "./errors.js";
import { type DeliveryKind, type ReplyBody, type RequestBody, SEP, V } from "./protocol.js";
import { SerialSender } from "./sender.js";
import { zmqEndpoint } from "./url.js";

export interface RpcClientOptions {
  /** rpc_response_timeout, in milliseconds (default 60 s, as oslo's 60 seconds). */
  timeoutMs?: number;
}

export interface CallOptions {
  /** The RPC API version this call needs from the server ("6.2"). */
  version?: string;
  timeoutMs?: number;
}

interface Waiter {
  resolve: (v: unknown) => void;
  reject: (e: Error) => void;
  timer: NodeJS.Timeout;
}

/**
 * The caller's side of the bus (oslo.messaging's RPCClient): call waits for the reply or times out,
 * cast and fanout return once the message is handed to ZeroMQ. One DEALER per client, shared by
 * every concurrent call; replies are matched by message id.
 */
export class RpcClient {
  private readonly socket = new Dealer({ linger: 0 });
  private readonly sender: SerialSender;
  private readonly waiting = new Map<string, Waiter>();
  private readonly idPrefix = randomBytes(8).toString("hex");
  private counter = 0;
  private closed = false;
  readonly timeoutMs: number;

  constructor(
    readonly transportUrl: string,
    opts: RpcClientOptions = {},
  ) {
    this.timeoutMs = opts.timeoutMs ?? 60_000;
    this.socket.connect(zmqEndpoint(transportUrl));
    this.sender = new SerialSender(this.socket, (err) => log.warning(`rpc: send failed: ${(err as Error).message}`));
    void this.loop();
  }

  /** Invoke method on one server of topic and wait for its result (or its exception, re-raised here). */
  call<T = unknown>(
    ctx: RequestContext,
    topic: string,
    method: string,
    args: Record<string, unknown> = {},
    opts: CallOptions = {},
  ): Promise<T> {
    const timeoutMs = opts.timeoutMs ?? this.timeoutMs;
    return withSpan(
      spanName(topic, method),
      "rpc",
      (span) => {
        const msgId = this.nextId();
        span.set("message_id", msgId);
        const body = encodeBody({ method, args, version: opts.version, ctx: { ...ctx, trace: span.context } } satisfies RequestBody);
        return new Promise<T>((resolve, reject) => {
          if (this.closed) return reject(new TransportClosed("the RPC client is closed"));
          const timer = setTimeout(() => {
            this.waiting.delete(msgId);
            reject(new MessagingTimeout(msgId, timeoutMs));
          }, timeoutMs);
          this.waiting.set(msgId, { resolve: resolve as (v: unknown) => void, reject, timer });
          this.sender.send([`${V.call}${SEP}${topic}${SEP}${msgId}${SEP}${timeoutMs}`, body]);
        });
      },
      { attributes: attrs(topic, method, opts.version, "call") },
    );
  }

  /** Invoke method on one server of topic without waiting for a result. */
  cast(ctx: RequestContext, topic: string, method: string, args: Record<string, unknown> = {}, opts: CallOptions = {}): Promise<void> {
    return this.oneWay(V.cast, "cast", ctx, topic, method, args, opts);
  }

  /** Invoke method on every server of topic, without waiting. */
  fanout(ctx: RequestContext, topic: string, method: string, args: Record<string, unknown> = {}, opts: CallOptions = {}): Promise<void> {
    return this.oneWay(V.fanout, "fanout", ctx, topic, method, args, opts);
  }

  /** Health check of the broker: resolves with its stats, rejects with MessagingTimeout. */
  ping(timeoutMs = 2000): Promise<Record<string, unknown>> {
    const id = this.nextId();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting.delete(id);
        reject(new MessagingTimeout(id, timeoutMs));
      }, timeoutMs);
      this.waiting.set(id, { resolve: resolve as (v: unknown) => void, reject, timer });
      this.sender.send([`${V.ping}${SEP}${id}`]);
    });
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const [id, w] of this.waiting) {
      clearTimeout(w.timer);
      w.reject(new TransportClosed(`the RPC client was closed while message ${id} waited for a reply`));
    }
    this.waiting.clear();
    this.sender.clear();
    this.socket.close();
  }

  private oneWay(
    verb: string,
    kind: DeliveryKind,
    ctx: RequestContext,
    topic: string,
    method: string,
    args: Record<string, unknown>,
    opts: CallOptions,
  ): Promise<void> {
    if (this.closed) return Promise.reject(new TransportClosed("the RPC client is closed"));
    return withSpan(
      spanName(topic, method),
      "rpc",
      (span) => {
        const body = encodeBody({ method, args, version: opts.version, ctx: { ...ctx, trace: span.context } } satisfies RequestBody);
        this.sender.send([`${verb}${SEP}${topic}${SEP}${this.nextId()}${SEP}${opts.timeoutMs ?? this.timeoutMs}`, body]);
      },
      { attributes: attrs(topic, method, opts.version, kind) },
    );
  }

  private nextId(): string {
    return `${this.idPrefix}${(++this.counter).toString(16).padStart(16, "0")}`;
  }

  private async loop(): Promise<void> {
    try {
      for await (const [hdr, body] of this.socket) {
        const [verb, id] = (hdr?.toString() ?? "").split(SEP);
        const key = id ?? "";
        const w = this.waiting.get(key);
        if (!w) {
          // A reply that came after its timeout, or the broker refusing a cast: nobody waits for it.
          if (verb === V.reply) {
            const reply = decodeBody<ReplyBody>(body);
            if ("error" in reply) log.warning(`rpc: message ${key}: ${reply.error.exc_type}: ${reply.error.message}`);
          }
          continue;
        }
        this.waiting.delete(key);
        clearTimeout(w.timer);
        if (verb === V.pong) {
          w.resolve(JSON.parse(body?.toString() || "{}"));
          continue;
        }
        const reply = decodeBody<ReplyBody>(body);
        if ("error" in reply) w.reject(deserializeError(reply.error));
        else w.resolve(reply.result);
      }
    } catch (err) {
      if (!this.closed) log.error(`rpc: client receive loop failed: ${(err as Error).stack ?? err}`);
    }
  }
}

/** "compute.host1" + "build_and_run_instance" -> "compute.build_and_run_instance", as the trace view names it. */
function spanName(topic: string, method: string): string {
  const dot = topic.indexOf(".");
  return `${dot < 0 ? topic : topic.slice(0, dot)}.${method}`;
}

function attrs(topic: string, method: string, version: string | undefined, kind: DeliveryKind): Record<string, unknown> {
  return { topic, method, version: version ?? null, kind };
}

/** Probe a broker once (what a supervisor does): true when it answers within timeoutMs. */
export async function pingBroker(transportUrl: string, timeoutMs = 1000): Promise<boolean> {
  const client = new RpcClient(transportUrl);
  try {
    await client.ping(timeoutMs);
    return true;
  } catch {
    return false;
  } finally {
    client.close();
  }
}
