import { randomBytes } from "node:crypto";
import { Dealer } from "zeromq";
import type { RequestContext } from "../context.js";
import { log } from "../log.js";
import { withSpan } from "../trace/tracer.js";
import { decodeBody, encodeBody } from "./codec.js";
import { DirectLink, type LinkOwner, type Outgoing } from "./direct-link.js";
import { MessagingTimeout, TransportClosed, deserializeError } from "./errors.js";
import { type DeliveryKind, type ReplyBody, type RequestBody, SEP, type TopicServers, V } from "./protocol.js";
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
  /** performance.now() after which the caller gets MessagingTimeout. */
  deadline: number;
  timeoutMs: number;
}

/**
 * How often waiting calls are checked for their deadline. One shared timer instead of a setTimeout per
 * call (~5 µs of a round trip); a timeout fires at most this much late.
 */
const TIMEOUT_TICK_MS = 10;

/** What the client knows of a topic's live servers (from the broker); none listed: through the broker. */
interface TopicRoute {
  links: DirectLink[];
  cursor: number;
}

/**
 * The caller's side of the bus (oslo.messaging's RPCClient): call waits for the reply or times out,
 * cast and fanout return once the message is handed to ZeroMQ. The first message to a topic goes through
 * the broker, which also tells the client the topic's live servers (and again whenever they change);
 * later ones go straight to those servers, round-robin, and replies come straight back. Through the
 * broker again when no server is known to be live (it queues), and for what a server that went away had
 * not acknowledged. Replies are matched by message id, whichever way they come.
 */
export class RpcClient implements LinkOwner {
  private readonly socket = new Dealer({ linger: 0 });
  private readonly sender: SerialSender;
  private readonly waiting = new Map<string, Waiter>();
  private readonly idPrefix = randomBytes(8).toString("hex");
  private counter = 0;
  private closed = false;
  /** Topics watched at the broker, and what it said about each (absent: not known yet, or never served). */
  private readonly watching = new Set<string>();
  private readonly routes = new Map<string, TopicRoute>();
  /** One direct connection per server endpoint, shared by the topics it serves. */
  private readonly links = new Map<string, DirectLink>();
  private readonly barriers = new Map<string, DirectLink>();
  private ticker?: NodeJS.Timeout;
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
          this.wait(msgId, resolve as (v: unknown) => void, reject, timeoutMs);
          this.deliver({ verb: V.call, topic, msgId, body, expiresAt: Date.now() + timeoutMs });
        });
      },
      { attributes: attrs(topic, method, opts.version, "call") },
    );
  }

  /** Invoke method on one server of topic without waiting for a result. */
  cast(ctx: RequestContext, topic: string, method: string, args: Record<string, unknown> = {}, opts: CallOptions = {}): Promise<void> {
    return this.oneWay(V.cast, "cast", ctx, topic, method, args, opts);
  }

  /** Invoke method on every server listening on topic (oslo's fanout=True cast). */
  fanout(ctx: RequestContext, topic: string, method: string, args: Record<string, unknown> = {}, opts: CallOptions = {}): Promise<void> {
    return this.oneWay(V.fanout, "fanout", ctx, topic, method, args, opts);
  }

  /** Ask the broker for its stats; rejects with MessagingTimeout when it does not answer. */
  ping(timeoutMs = 1000): Promise<unknown> {
    if (this.closed) return Promise.reject(new TransportClosed("the RPC client is closed"));
    const id = this.nextId();
    return new Promise((resolve, reject) => {
      this.wait(id, resolve, reject, timeoutMs);
      this.sender.send([`${V.ping}${SEP}${id}`]);
    });
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.ticker) clearInterval(this.ticker);
    for (const [id, w] of this.waiting) {
      w.reject(new TransportClosed(`the RPC client was closed while message ${id} waited for a reply`));
    }
    this.waiting.clear();
    this.sender.clear();
    for (const link of this.links.values()) link.retire();
    this.links.clear();
    this.barriers.clear();
    this.socket.close();
  }

  /** LinkOwner: a reply that came straight from a server. */
  onReply(msgId: string, body: Buffer | undefined): void {
    const w = this.waiting.get(msgId);
    if (!w) {
      this.lateReply(msgId, body);
      return;
    }
    this.waiting.delete(msgId);
    settle(w, body);
  }

  /** LinkOwner: a barrier through the broker to the link's server, after what we sent that way before. */
  barrier(link: DirectLink): string {
    const id = this.nextId();
    this.barriers.set(id, link);
    this.sender.send([`${V.barrier}${SEP}${link.endpoint}${SEP}${id}`]);
    return id;
  }

  /** LinkOwner: messages a server that went away may not have received go through the broker. */
  reroute(messages: Outgoing[]): void {
    if (this.closed) return;
    for (const m of messages) this.viaBroker(m);
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
        this.deliver({ verb, topic, msgId: this.nextId(), body, expiresAt: Date.now() + (opts.timeoutMs ?? this.timeoutMs) });
      },
      { attributes: attrs(topic, method, opts.version, kind) },
    );
  }

  /** Straight to a live server of the topic when one is known, else through the broker. */
  private deliver(out: Outgoing): void {
    const route = this.routes.get(out.topic);
    if (route === undefined) {
      this.watch(out.topic);
    } else if (out.verb === V.fanout) {
      // Direct only when every listed server is reachable; else the broker, which knows them all.
      const { links } = route;
      if (links.length > 0 && links.every((l) => l.ready)) {
        for (const l of links) l.send(out);
        return;
      }
    } else {
      const { links } = route;
      for (let i = 0; i < links.length; i++) {
        route.cursor = (route.cursor + 1) % links.length;
        if ((links[route.cursor] as DirectLink).send(out)) return;
      }
    }
    this.viaBroker(out);
  }

  private viaBroker(out: Outgoing): void {
    const ttl = Math.max(1, out.expiresAt - Date.now());
    this.sender.send([`${out.verb}${SEP}${out.topic}${SEP}${out.msgId}${SEP}${ttl}`, out.body]);
  }

  /** Ask the broker for a topic's servers, now and on every change (again after it reconnects). */
  private watch(topic: string): void {
    if (this.watching.has(topic)) return;
    if (this.watching.size === 0) {
      // A restarted broker knows no watchers: tell it again what we watch.
      this.socket.events.on("handshake", () => {
        if (!this.closed) for (const t of this.watching) this.sender.send([`${V.watch}${SEP}${t}`]);
      });
    }
    this.watching.add(topic);
    this.sender.send([`${V.watch}${SEP}${topic}`]);
  }

  /** The broker's list of a watched topic's live servers. */
  private updateRoute(topic: string, listing: TopicServers): void {
    const before = this.routes.get(topic)?.links ?? [];
    if (!listing.known) this.routes.delete(topic);
    else {
      // A server without a direct endpoint: that topic's messages all go through the broker, which balances them.
      const direct = listing.endpoints.every((e) => e !== null);
      const links = direct ? (listing.endpoints as string[]).map((e) => this.link(e)) : [];
      for (const l of links) l.refs++;
      this.routes.set(topic, { links, cursor: -1 });
    }
    for (const l of before) {
      if (--l.refs <= 0) {
        this.links.delete(l.endpoint);
        for (const [id, b] of this.barriers) if (b === l) this.barriers.delete(id);
        l.retire();
      }
    }
  }

  private link(endpoint: string): DirectLink {
    let l = this.links.get(endpoint);
    if (!l) {
      l = new DirectLink(endpoint, this);
      this.links.set(endpoint, l);
    }
    return l;
  }

  private wait(msgId: string, resolve: (v: unknown) => void, reject: (e: Error) => void, timeoutMs: number): void {
    this.waiting.set(msgId, { resolve, reject, deadline: performance.now() + timeoutMs, timeoutMs });
    // Ref'd while something waits (as a per-call timer would be), gone when nothing does.
    this.ticker ??= setInterval(() => this.expire(), TIMEOUT_TICK_MS);
  }

  private expire(): void {
    const now = performance.now();
    for (const [id, w] of this.waiting) {
      if (w.deadline > now) continue;
      this.waiting.delete(id);
      w.reject(new MessagingTimeout(id, w.timeoutMs));
    }
    if (this.waiting.size === 0 && this.ticker) {
      clearInterval(this.ticker);
      this.ticker = undefined;
    }
  }

  private nextId(): string {
    return `${this.idPrefix}${(++this.counter).toString(16).padStart(16, "0")}`;
  }

  private lateReply(msgId: string, body: Buffer | undefined): void {
    // A reply that came after its timeout, or the broker refusing a cast: nobody waits for it.
    const reply = decodeBody<ReplyBody>(body);
    if (reply && "error" in reply) log.warning(`rpc: message ${msgId}: ${reply.error.exc_type}: ${reply.error.message}`);
  }

  private async loop(): Promise<void> {
    try {
      for await (const [hdr, body] of this.socket) {
        const [verb, key = ""] = (hdr?.toString() ?? "").split(SEP);
        if (verb === V.topicServers) {
          if (!this.closed) this.updateRoute(key, JSON.parse(body?.toString() || "{}") as TopicServers);
          continue;
        }
        if (verb === V.barrierDone) {
          const link = this.barriers.get(key);
          this.barriers.delete(key);
          link?.synced(key);
          continue;
        }
        const w = this.waiting.get(key);
        if (!w) {
          if (verb === V.reply) this.lateReply(key, body);
          continue;
        }
        this.waiting.delete(key);
        if (verb === V.pong) w.resolve(JSON.parse(body?.toString() || "{}"));
        else settle(w, body);
      }
    } catch (err) {
      if (!this.closed) log.error(`rpc: client receive loop failed: ${(err as Error).stack ?? err}`);
    }
  }
}

function settle(w: Waiter, body: Buffer | undefined): void {
  const reply = decodeBody<ReplyBody>(body);
  if ("error" in reply) w.reject(deserializeError(reply.error));
  else w.resolve(reply.result);
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
