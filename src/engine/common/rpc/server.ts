import { randomBytes } from "node:crypto";
import { hostname } from "node:os";
import { Dealer } from "zeromq";
import type { RequestContext } from "../context.js";
import { log } from "../log.js";
import type { TraceContext } from "../trace/span.js";
import { withSpan } from "../trace/tracer.js";
import { decodeBody, encodeBody } from "./codec.js";
import { NoSuchMethod, UnsupportedVersion, serializeError } from "./errors.js";
import { KIND_OF_VERB, type ReplyBody, type RequestBody, SEP, type ServerInfo, V } from "./protocol.js";
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
}

/**
 * The receiving side of the bus (oslo.messaging's RPC server): registers `topic` and `topic.host` with
 * the broker, runs each incoming message's method concurrently inside a span that continues the caller's
 * trace, and sends back its result or its exception.
 */
export class RpcServer {
  private readonly socket: Dealer;
  private readonly sender: SerialSender;
  private readonly endpoints: Endpoint[];
  private readonly topics: string[];
  private readonly version: string;
  private readonly info: ServerInfo;
  private heartbeat?: NodeJS.Timeout;
  private running = false;
  private registered = new Set<string>();
  private registeredWaiters: Array<() => void> = [];

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
    this.socket = new Dealer({ linger: 0, routingId: `srv-${randomBytes(8).toString("hex")}` });
    this.sender = new SerialSender(this.socket, (err) => log.warning(`rpc server: send failed: ${(err as Error).message}`));
  }

  /** Connect, register every topic and resolve once the broker has confirmed them. */
  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    this.socket.connect(zmqEndpoint(this.transportUrl));
    void this.loop();
    const confirmed = new Promise<void>((resolve) => this.registeredWaiters.push(resolve));
    this.register();
    this.heartbeat = setInterval(() => this.sender.send([V.heartbeat]), this.info.heartbeatMs);
    await confirmed;
  }

  /** Tell the broker we are leaving (it re-routes nothing: everything received was acknowledged). */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.sender.send([V.bye]);
    // Give ZeroMQ a moment to flush the goodbye before the socket goes.
    await new Promise((r) => setTimeout(r, 20));
    this.sender.clear();
    this.socket.close();
  }

  private register(): void {
    for (const t of this.topics) this.sender.send([`${V.register}${SEP}${t}`, JSON.stringify(this.info)]);
  }

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
        } else if (verb && KIND_OF_VERB[verb]) {
          void this.dispatch(verb, fields[1] ?? "", frames[1], frames[2]);
        }
      }
    } catch (err) {
      if (this.running) log.error(`rpc server: receive loop failed: ${(err as Error).stack ?? err}`);
    }
  }

  /** A delivery: ["verb TAB msgId TAB ttlMs", clientId, body]. */
  private async dispatch(verb: string, msgId: string, clientId: Buffer | undefined, bodyBuf: Buffer | undefined): Promise<void> {
    if (!clientId || !msgId) return;
    const isCall = verb === V.call;
    // Casts are acknowledged on receipt (oslo acks before dispatching); a call's reply acknowledges it,
    // and a slow call is acknowledged as soon as it is known not to finish within this turn.
    let replied = false;
    if (isCall) {
      setImmediate(() => {
        if (!replied) this.sender.send([`${V.ack}${SEP}${msgId}`]);
      });
    } else if (verb === V.cast) this.sender.send([`${V.ack}${SEP}${msgId}`]);

    let reply: ReplyBody;
    try {
      const req = decodeBody<RequestBody>(bodyBuf);
      reply = { result: await this.invoke(req, KIND_OF_VERB[verb] ?? "call") };
    } catch (err) {
      if (!isCall) log.error(`rpc server: ${KIND_OF_VERB[verb]} failed: ${(err as Error)?.stack ?? err}`);
      reply = { error: serializeError(err) };
    }
    if (!isCall) return;
    replied = true;
    let body: Buffer;
    try {
      body = encodeBody(reply);
    } catch (err) {
      body = encodeBody({ error: serializeError(new TypeError(`result of the call could not be serialized: ${(err as Error).message}`)) });
    }
    this.sender.send([`${V.reply}${SEP}${msgId}`, clientId, body]);
  }

  private invoke(req: RequestBody, kind: string): Promise<unknown> {
    const ctx = (req.ctx ?? { roles: [] }) as RequestContext;
    const parent = ctx.trace as TraceContext | undefined;
    const { endpoint, fn } = this.find(req.method);
    const owner = endpoint.constructor?.name;
    const name = owner && owner !== "Object" ? `${owner}.${req.method}` : req.method;
    return withSpan(
      name,
      "rpc",
      async () => {
        if (req.version && !versionIsCompatible(this.version, req.version)) {
          throw new UnsupportedVersion(req.version, req.method, this.version);
        }
        return fn.call(endpoint, ctx, req.args ?? {});
      },
      { parent, attributes: { topic: this.topic, method: req.method, version: req.version ?? null, kind, side: "server" } },
    );
  }

  private find(method: string): { endpoint: Endpoint; fn: RpcHandler } {
    if (!method.startsWith("_")) {
      for (const endpoint of this.endpoints) {
        const fn = (endpoint as Record<string, unknown>)[method];
        if (typeof fn === "function" && !(method in Object.prototype)) return { endpoint, fn: fn as RpcHandler };
      }
    }
    throw new NoSuchMethod(method);
  }
}
