import { randomBytes } from "node:crypto";
import { hostname } from "node:os";
import { Dealer, Router } from "zeromq";
import type { RequestContext } from "../context.js";
import { log } from "../log.js";
import type { TraceContext } from "../trace/span.js";
import { withSpan } from "../trace/tracer.js";
import { decodeBody, encodeBody } from "./codec.js";
import { NoSuchMethod, UnsupportedVersion, serializeError } from "./errors.js";
import { localAddressToward, tcpHostPort } from "./local-address.js";
import { KIND_OF_VERB, NL, type ReplyBody, type RequestBody, SEP, type ServerInfo, V } from "./protocol.js";
import { SerialSender } from "./sender.js";
import { zmqEndpoint } from "./url.js";
import { parseVersion, versionIsCompatible } from "./version.js";

/** A remotely callable method: receives the caller's context and the keyword arguments. */
// biome-ignore lint/suspicious/noExplicitAny: each handler declares the shape of its own arguments.
export type RpcHandler = (ctx: RequestContext, args: Record<string, any>) => unknown;

/**
 * An endpoint: an object whose methods are RPC methods, like a Nova manager class (ConductorManager).
 * Plain objects of handlers work too. Methods starting with "_" are private, as in oslo.
 */
export type Endpoint = object;

export interface RpcServerOptions {
  /** The node's name: the server also listens on `<topic>.<host>` (oslo's Target(topic, server)). */
  host?: string;
  /** The RPC API version the endpoints implement ("6.0"). Calls asking for a newer minor are refused. */
  version?: string;
  /** Heartbeat interval; the broker declares this server dead after ~3 missed beats. */
  heartbeatMs?: number;
  /**
   * The address clients connect to directly (bound on an OS-picked port and registered with the broker).
   * Default: this host's address on the interface that reaches the broker. false: through the broker only.
   */
  directHost?: string | false;
}

/** Double delivery happens within seconds: ids are remembered that long, at most that many, replies up to that size. */
const SEEN_MS = 60_000;
const SEEN_MAX = 5000;
const SEEN_REPLY_MAX = 64 * 1024;

/** Where a delivery came from, hence where its acknowledgement and reply go. */
interface Route {
  direct: boolean;
  clientId: Buffer;
  msgId: string;
  replied: boolean;
}

/** A call or cast already received: its reply once sent, and the repeats waiting for it. */
interface Delivery {
  at: number;
  done: boolean;
  reply?: string;
  waiting: Route[];
}

interface Method {
  endpoint: Endpoint;
  fn: RpcHandler;
  spanName: string;
}

/**
 * The receiving side of the bus (oslo.messaging's RPC server): binds its own ROUTER for clients that
 * send directly, registers `topic` and `topic.host` (with that endpoint) with the broker, runs each
 * incoming message's method concurrently inside a span that continues the caller's trace, and sends
 * back its result or its exception the way the message came.
 */
export class RpcServer {
  private readonly socket: Dealer;
  private readonly sender: SerialSender;
  private direct?: Router;
  private directSender?: SerialSender;
  private readonly endpoints: Endpoint[];
  private readonly topics: string[];
  private readonly version: string;
  private readonly info: ServerInfo;
  private readonly directHost: string | false | undefined;
  private heartbeat?: NodeJS.Timeout;
  private running = false;
  private registered = new Set<string>();
  private registeredWaiters: Array<() => void> = [];
  /** Calls not answered within the turn they arrived in get acknowledged (in one batch per turn). */
  private ackQueue: Route[] = [];
  private ackScheduled = false;
  private readonly methods = new Map<string, Method>();
  /**
   * Messages seen lately, by id. The bus can hand a message over twice: when it drops a server that
   * missed its heartbeats (a busy event loop), it re-routes what the server had not acknowledged yet,
   * and the clients resend it, while the first copies still wait in our sockets. Each runs once here;
   * a repeated call gets the first run's reply (or waits for it).
   */
  private readonly seen = new Map<string, Delivery>();
  private readonly versionOk = new Map<string, boolean>();

  constructor(
    readonly transportUrl: string,
    readonly topic: string,
    endpoints: Endpoint | Endpoint[],
    opts: RpcServerOptions = {},
  ) {
    this.endpoints = Array.isArray(endpoints) ? endpoints : [endpoints];
    this.version = opts.version ?? "1.0";
    parseVersion(this.version);
    const host = opts.host ?? hostname();
    this.topics = opts.host && !topic.endsWith(`.${opts.host}`) ? [topic, `${topic}.${opts.host}`] : [topic];
    this.info = { host, version: this.version, heartbeatMs: opts.heartbeatMs ?? 1000, pid: process.pid };
    this.directHost = opts.directHost;
    this.socket = new Dealer({ linger: 0, routingId: `srv-${randomBytes(8).toString("hex")}` });
    this.sender = new SerialSender(this.socket, (err) => log.warning(`rpc server: send failed: ${(err as Error).message}`));
  }

  /** The endpoint clients send to directly (tcp://ADDR:PORT), once started; undefined: broker only. */
  get directEndpoint(): string | undefined {
    return this.info.endpoint;
  }

  /** Bind the direct endpoint, connect, register every topic and resolve once the broker has confirmed them. */
  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    await this.bindDirect();
    this.socket.connect(zmqEndpoint(this.transportUrl));
    void this.loop();
    const confirmed = new Promise<void>((resolve) => this.registeredWaiters.push(resolve));
    this.register();
    this.heartbeat = setInterval(() => this.sender.send([V.heartbeat]), this.info.heartbeatMs);
    await confirmed;
  }

  /** Tell the broker we are leaving (it tells the clients, which resend what we had not acknowledged). */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.sender.send([V.bye]);
    // Give ZeroMQ a moment to flush the goodbye before the socket goes.
    await new Promise((r) => setTimeout(r, 20));
    this.sender.clear();
    this.directSender?.clear();
    this.socket.close();
    this.direct?.close();
  }

  /** A ROUTER on an OS-picked port of the address clients can reach us at; without one, broker only. */
  private async bindDirect(): Promise<void> {
    if (this.directHost === false) return;
    let addr = this.directHost;
    try {
      if (!addr) {
        const broker = tcpHostPort(zmqEndpoint(this.transportUrl));
        if (!broker) return; // ipc:// or inproc:// bus: everything goes through it
        addr = await localAddressToward(broker.host, broker.port);
      }
      const v6 = addr.includes(":");
      const router = new Router({ linger: 0, ipv6: v6 });
      await router.bind(`tcp://${v6 ? `[${addr.replace(/^\[|\]$/g, "")}]` : addr}:0`);
      this.direct = router;
      this.directSender = new SerialSender(router, (err) => log.warning(`rpc server: direct send failed: ${(err as Error).message}`));
      this.info.endpoint = router.lastEndpoint ?? undefined;
      void this.directLoop(router);
    } catch (err) {
      log.warning(`rpc server: no direct endpoint on '${addr ?? "?"}' (${(err as Error).message}); clients will go through the bus`);
    }
  }

  private register(): void {
    const info = JSON.stringify(this.info);
    for (const t of this.topics) this.sender.send([`${V.register}${SEP}${t}`, info]);
  }

  /** What the broker sends: confirmations, "who are you?", and deliveries it routed or had queued. */
  private async loop(): Promise<void> {
    try {
      for await (const frames of this.socket) {
        const fields = (frames[0]?.toString() ?? "").split(SEP);
        const verb = fields[0];
        if (verb === V.registered) {
          this.registered.add(fields[1] ?? "");
          if (this.topics.every((t) => this.registered.has(t))) for (const w of this.registeredWaiters.splice(0)) w();
        } else if (verb === V.whoAreYou) {
          log.info(`rpc server: the bus at ${this.transportUrl} forgot us (restarted?); registering again`);
          this.register();
        } else if (verb === V.barrier) {
          // Everything the broker routed to us before it has been dispatched: the client may go direct.
          if (frames[1]) this.sender.send([`${V.barrierDone}${SEP}${fields[1] ?? ""}`, frames[1]]);
        } else if (verb && KIND_OF_VERB[verb]) {
          // ["verb TAB msgId TAB ttlMs", clientId, body]
          const clientId = frames[1];
          if (clientId && fields[1]) void this.dispatch(verb, { direct: false, clientId, msgId: fields[1], replied: false }, frames[2]);
        }
      }
    } catch (err) {
      if (this.running) log.error(`rpc server: receive loop failed: ${(err as Error).stack ?? err}`);
    }
  }

  /** What clients send directly: [clientId, "verb TAB msgId TAB ttlMs NL body"]. */
  private async directLoop(router: Router): Promise<void> {
    try {
      for await (const [clientId, msg] of router) {
        if (!clientId || !msg || msg[1] !== 9 /* TAB */) continue;
        const verb = String.fromCharCode(msg[0] as number);
        const end = msg.indexOf(9, 2);
        const nl = msg.indexOf(10, 2);
        if (!KIND_OF_VERB[verb] || end < 0 || nl < 0) continue;
        const msgId = msg.toString("latin1", 2, end);
        void this.dispatch(verb, { direct: true, clientId, msgId, replied: false }, msg.subarray(nl + 1));
      }
    } catch (err) {
      if (this.running) log.error(`rpc server: direct receive loop failed: ${(err as Error).stack ?? err}`);
    }
  }

  /** Send the acknowledgement or reply back the way the delivery came. */
  private answer(route: Route, hdr: string, body?: string): void {
    if (route.direct) {
      // A reply to a client that has gone is dropped. Sends go one at a time: under load a send can
      // wait (the peer's pipe is full), and a second one meanwhile would fail ("Socket is busy writing").
      this.directSender?.send([route.clientId, body === undefined ? hdr : `${hdr}${NL}${body}`]);
    } else {
      this.sender.send(body ? [hdr, route.clientId, body] : [hdr]);
    }
  }

  private queueAck(route: Route): void {
    this.ackQueue.push(route);
    if (this.ackScheduled) return;
    this.ackScheduled = true;
    setImmediate(() => {
      this.ackScheduled = false;
      for (const r of this.ackQueue.splice(0)) if (!r.replied) this.answer(r, `${V.ack}${SEP}${r.msgId}`);
    });
  }

  private async dispatch(verb: string, route: Route, bodyBuf: Buffer | undefined): Promise<void> {
    const isCall = verb === V.call;
    const once = isCall || verb === V.cast ? this.firstDelivery(verb, route) : undefined;
    if (once === false) return;
    // Casts are acknowledged on receipt (oslo acks before dispatching); a call's reply acknowledges it,
    // and a slow call is acknowledged as soon as it is known not to finish within this turn.
    if (isCall) this.queueAck(route);
    else if (verb === V.cast) this.answer(route, `${V.ack}${SEP}${route.msgId}`);

    let reply: ReplyBody;
    try {
      const req = decodeBody<RequestBody>(bodyBuf);
      reply = { result: await this.invoke(req, KIND_OF_VERB[verb] ?? "call") };
    } catch (err) {
      if (!isCall) log.error(`rpc server: ${KIND_OF_VERB[verb]} failed: ${(err as Error)?.stack ?? err}`);
      reply = { error: serializeError(err) };
    }
    if (!isCall) return;
    route.replied = true;
    let body: string;
    try {
      body = encodeBody(reply);
    } catch (err) {
      body = encodeBody({ error: serializeError(new TypeError(`result of the call could not be serialized: ${(err as Error).message}`)) });
    }
    this.answer(route, `${V.reply}${SEP}${route.msgId}`, body);
    if (once) {
      once.done = true;
      once.reply = body.length <= SEEN_REPLY_MAX ? body : undefined;
      for (const r of once.waiting.splice(0)) {
        r.replied = true;
        this.answer(r, `${V.reply}${SEP}${r.msgId}`, body);
      }
    }
  }

  /** Remember a delivery; for a repeated one, answer it from the first (or not at all) and say false. */
  private firstDelivery(verb: string, route: Route): Delivery | false {
    const prior = this.seen.get(route.msgId);
    // A call whose reply was too large to keep runs again (the big replies are reads).
    if (!prior || (verb === V.call && prior.done && prior.reply === undefined)) {
      const now = Date.now();
      const entry: Delivery = { at: now, done: false, waiting: [] };
      this.seen.delete(route.msgId);
      this.seen.set(route.msgId, entry);
      // Oldest first (insertion order): forget what is too old or too many.
      for (const [id, d] of this.seen) {
        if (this.seen.size <= SEEN_MAX && now - d.at <= SEEN_MS) break;
        this.seen.delete(id);
      }
      return entry;
    }
    if (verb === V.cast) this.answer(route, `${V.ack}${SEP}${route.msgId}`);
    else if (prior.reply !== undefined) {
      route.replied = true;
      this.answer(route, `${V.reply}${SEP}${route.msgId}`, prior.reply);
    } else {
      this.queueAck(route);
      prior.waiting.push(route);
    }
    log.info(`rpc server: message ${route.msgId} delivered again; not run twice`);
    return false;
  }

  private invoke(req: RequestBody, kind: string): Promise<unknown> {
    const ctx = (req.ctx ?? { roles: [] }) as RequestContext;
    const parent = ctx.trace as TraceContext | undefined;
    const { endpoint, fn, spanName } = this.find(req.method);
    const version = req.version;
    return withSpan(
      spanName,
      "rpc",
      () => {
        if (version && !this.compatible(version)) throw new UnsupportedVersion(version, req.method, this.version);
        return fn.call(endpoint, ctx, req.args ?? {});
      },
      { parent, attributes: { topic: this.topic, method: req.method, version: version ?? null, kind, side: "server" } },
    );
  }

  /** versionIsCompatible, remembered per asked version (a handful per service). */
  private compatible(wanted: string): boolean {
    let ok = this.versionOk.get(wanted);
    if (ok === undefined) {
      ok = versionIsCompatible(this.version, wanted);
      if (this.versionOk.size < 256) this.versionOk.set(wanted, ok);
    }
    return ok;
  }

  private find(method: string): Method {
    const known = this.methods.get(method);
    if (known) return known;
    if (!method.startsWith("_")) {
      for (const endpoint of this.endpoints) {
        const fn = (endpoint as Record<string, unknown>)[method];
        if (typeof fn === "function" && !(method in Object.prototype)) {
          const owner = endpoint.constructor?.name;
          const found = { endpoint, fn: fn as RpcHandler, spanName: owner && owner !== "Object" ? `${owner}.${method}` : method };
          this.methods.set(method, found);
          return found;
        }
      }
    }
    throw new NoSuchMethod(method);
  }
}
