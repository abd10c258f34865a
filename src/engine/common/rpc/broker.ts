import { Router } from "zeromq";
import { log } from "../log.js";
import { encodeBody } from "./codec.js";
import { type ReplyBody, SEP, type ServerInfo, type TopicServers, V } from "./protocol.js";
import { zmqEndpoint } from "./url.js";

/** One registered server connection (a DEALER), known by its ZeroMQ routing id. */
interface ServerConn {
  id: Buffer;
  key: string;
  info: ServerInfo;
  topics: Set<string>;
  lastSeen: number;
  /** Deliveries sent but not yet acknowledged: re-queued if the server dies. */
  unacked: Map<string, Pending>;
}

/** A call or cast waiting for (or on its way to) a server. Fanouts are never queued. */
interface Pending {
  verb: string;
  topic: string;
  clientId: Buffer;
  msgId: string;
  expiresAt: number;
  body: Buffer;
}

interface Topic {
  servers: ServerConn[];
  cursor: number;
  queue: Pending[];
  /** Made by a cast before any server registered the topic (e.g. just after this bus restarted). */
  unserved?: boolean;
}

export interface BrokerStats {
  topics: Record<string, { servers: number; queued: number }>;
  servers: number;
  uptime_s: number;
  /** Calls, casts and fanouts that came through the broker (not sent directly to a server). */
  routed: number;
  /** Clients watching topics (they send directly to the servers they learn of). */
  watchers: number;
}

export interface BrokerOptions {
  /** How often to look for dead servers and expired queued messages. */
  sweepMs?: number;
  /** A server is dead after this many of its heartbeat intervals without a word. */
  missedHeartbeats?: number;
}

const DEFAULT_TTL_MS = 60_000;
const EMPTY: Buffer = Buffer.alloc(0);

/**
 * The message bus of one cell: a ROUTER that servers register topics (and their direct endpoints) with.
 * It is the registry: clients watch a topic and are told its live servers whenever they change, then
 * send straight to them. What clients send through it (before they know a topic's servers, when none is
 * alive, or when a server they sent to went away) goes round-robin to a topic's live servers, fanout to
 * all of them. A topic that has had a server but has none alive right now keeps its messages until one
 * registers (or they expire); a topic nobody ever served fails a call at once with MessageDeliveryFailure.
 * A cast to such a topic waits like a queued one, until its TTL: a bus that has just restarted knows no
 * topic until the running servers re-register (within a heartbeat), and a cast dropped in that moment —
 * build_and_run_instance to a compute — would leave an instance in BUILD with nobody to tell.
 */
export class Broker {
  private readonly socket = new Router({ mandatory: true, sendTimeout: 0, linger: 0 });
  private readonly topics = new Map<string, Topic>();
  private readonly servers = new Map<string, ServerConn>();
  /** topic -> clients watching it (hex routing id -> routing id). */
  private readonly watchers = new Map<string, Map<string, Buffer>>();
  private routed = 0;
  private sweeper?: NodeJS.Timeout;
  private readonly started = Date.now();
  private readonly sweepMs: number;
  private readonly missed: number;
  endpoint = "";

  constructor(opts: BrokerOptions = {}) {
    this.sweepMs = opts.sweepMs ?? 250;
    this.missed = opts.missedHeartbeats ?? 3;
  }

  /** Bind at a transport URL (port 0 picks a free one) and start routing. Returns the bound endpoint. */
  async bind(transportUrl: string): Promise<string> {
    await this.socket.bind(zmqEndpoint(transportUrl));
    this.endpoint = this.socket.lastEndpoint ?? zmqEndpoint(transportUrl);
    this.sweeper = setInterval(() => this.sweep(), this.sweepMs);
    this.sweeper.unref();
    void this.loop();
    return this.endpoint;
  }

  /** The bound address as a transport URL (zmq://host:port). */
  get transportUrl(): string {
    return this.endpoint.replace(/^tcp:\/\//, "zmq://");
  }

  async close(): Promise<void> {
    if (this.sweeper) clearInterval(this.sweeper);
    this.socket.close();
  }

  stats(): BrokerStats {
    const topics: BrokerStats["topics"] = {};
    for (const [name, t] of this.topics) topics[name] = { servers: t.servers.length, queued: t.queue.length };
    const clients = new Set<string>();
    for (const w of this.watchers.values()) for (const k of w.keys()) clients.add(k);
    return {
      topics,
      servers: this.servers.size,
      uptime_s: Math.round((Date.now() - this.started) / 1000),
      routed: this.routed,
      watchers: clients.size,
    };
  }

  private async loop(): Promise<void> {
    try {
      for await (const frames of this.socket) {
        try {
          this.handle(frames);
        } catch (err) {
          log.error(`bus: dropped a malformed message: ${(err as Error).message}`);
        }
      }
    } catch (err) {
      if (!this.socket.closed) log.error(`bus: receive loop failed: ${(err as Error).stack ?? err}`);
    }
  }

  /** [peerId, header, ...rest]: see protocol.ts. */
  private handle(frames: Buffer[]): void {
    const [id, hdr] = frames;
    if (!id || !hdr) return;
    const fields = hdr.toString().split(SEP);
    const verb = fields[0];
    switch (verb) {
      case V.call:
      case V.cast:
      case V.fanout:
        this.route(verb, id, fields[1] ?? "", fields[2] ?? "", Number(fields[3]), frames[2]);
        return;
      case V.reply: {
        // ["r TAB msgId", clientId, body] -> client ["r TAB msgId", body]
        const [, , clientId, body] = frames;
        if (!clientId) return;
        this.touch(id)?.unacked.delete(fields[1] ?? "");
        this.sendTo(clientId, [hdr, body ?? EMPTY]);
        return;
      }
      case V.ack:
        this.touch(id)?.unacked.delete(fields[1] ?? "");
        return;
      case V.heartbeat:
        if (!this.touch(id)) this.sendTo(id, [V.whoAreYou]);
        return;
      case V.register:
        this.register(id, fields[1] ?? "", frames[2]?.toString() ?? "{}");
        return;
      case V.bye: {
        const server = this.servers.get(id.toString("hex"));
        if (server) this.dropServer(server, "said goodbye");
        return;
      }
      case V.barrier:
        this.barrier(id, fields[1] ?? "", fields[2] ?? "");
        return;
      case V.barrierDone: {
        // ["Y TAB barrierId", clientId] -> client ["Y TAB barrierId"]
        const clientId = frames[2];
        this.touch(id);
        if (clientId) this.sendTo(clientId, [hdr]);
        return;
      }
      case V.watch:
        this.watch(id, fields[1] ?? "");
        return;
      case V.ping:
        this.sendTo(id, [`${V.pong}${SEP}${fields[1] ?? ""}`, JSON.stringify(this.stats())]);
        return;
      default:
        log.warning(`bus: unknown verb '${verb}' ignored`);
    }
  }

  private touch(id: Buffer): ServerConn | undefined {
    const server = this.servers.get(id.toString("hex"));
    if (server) server.lastSeen = Date.now();
    return server;
  }

  private register(id: Buffer, topicName: string, infoJson: string): void {
    if (!topicName) return;
    const key = id.toString("hex");
    let server = this.servers.get(key);
    if (!server) {
      const info = JSON.parse(infoJson) as ServerInfo;
      server = { id, key, info, topics: new Set(), lastSeen: Date.now(), unacked: new Map() };
      this.servers.set(key, server);
    }
    server.lastSeen = Date.now();
    const topic = this.topic(topicName);
    topic.unserved = false;
    if (!server.topics.has(topicName)) {
      server.topics.add(topicName);
      topic.servers.push(server);
      log.info(`bus: ${server.info.host} (pid ${server.info.pid}) serves '${topicName}' (${topic.servers.length} live)`);
      this.sendTo(id, [`${V.registered}${SEP}${topicName}`]);
      // Queued messages first, so they reach the server before what clients send it directly.
      this.drain(topicName, topic);
      this.publish(topicName);
      return;
    }
    this.sendTo(id, [`${V.registered}${SEP}${topicName}`]);
    this.drain(topicName, topic);
  }

  /**
   * Pass a client's barrier to the live server at that direct endpoint, behind everything already routed
   * to it. Nobody there (it died meanwhile): dropped; the client learns from the next listing.
   */
  private barrier(clientId: Buffer, endpoint: string, barrierId: string): void {
    for (const server of this.servers.values()) {
      if (server.info.endpoint === endpoint) {
        this.socket
          .send([server.id, `${V.barrier}${SEP}${barrierId}`, clientId])
          .catch((err: Error) => this.dropServer(server, `is unreachable (${err.message})`));
        return;
      }
    }
  }

  /** A client wants a topic's live servers now and whenever they change. */
  private watch(clientId: Buffer, topicName: string): void {
    if (!topicName) return;
    let w = this.watchers.get(topicName);
    if (!w) {
      w = new Map();
      this.watchers.set(topicName, w);
    }
    w.set(clientId.toString("hex"), clientId);
    this.notify(topicName, clientId, this.listing(topicName), w);
  }

  private listing(topicName: string): string {
    const topic = this.topics.get(topicName);
    const servers: TopicServers = topic
      ? { known: true, endpoints: topic.servers.map((s) => s.info.endpoint ?? null) }
      : { known: false, endpoints: [] };
    return JSON.stringify(servers);
  }

  /** Tell every watcher of a topic its servers changed. */
  private publish(topicName: string): void {
    const w = this.watchers.get(topicName);
    if (!w || w.size === 0) return;
    const listing = this.listing(topicName);
    for (const clientId of w.values()) this.notify(topicName, clientId, listing, w);
  }

  /** A watcher that can no longer be reached (ROUTER_MANDATORY refuses the send) is forgotten. */
  private notify(topicName: string, clientId: Buffer, listing: string, w: Map<string, Buffer>): void {
    this.socket.send([clientId, `${V.topicServers}${SEP}${topicName}`, listing]).catch(() => {
      w.delete(clientId.toString("hex"));
    });
  }

  private topic(name: string): Topic {
    let t = this.topics.get(name);
    if (!t) {
      t = { servers: [], cursor: 0, queue: [] };
      this.topics.set(name, t);
    }
    return t;
  }

  private route(verb: string, clientId: Buffer, topicName: string, msgId: string, ttl: number, body: Buffer = EMPTY): void {
    this.routed++;
    let topic = this.topics.get(topicName);
    if (!topic && verb === V.cast) {
      topic = this.topic(topicName);
      topic.unserved = true;
    }
    if (!topic || (topic.unserved && verb !== V.cast)) {
      this.fail(verb, clientId, msgId, `no server is listening on topic '${topicName}'`);
      return;
    }
    if (verb === V.fanout) {
      for (const server of [...topic.servers]) this.deliver(server, { verb, topic: topicName, clientId, msgId, expiresAt: 0, body });
      return;
    }
    const expiresAt = Date.now() + (ttl > 0 ? ttl : DEFAULT_TTL_MS);
    const msg: Pending = { verb, topic: topicName, clientId, msgId, expiresAt, body };
    if (!this.dispatch(topic, msg)) topic.queue.push(msg);
  }

  /** Hand a message to the next live server of the topic; false when there is none. */
  private dispatch(topic: Topic, msg: Pending): boolean {
    if (topic.servers.length === 0) return false;
    topic.cursor = (topic.cursor + 1) % topic.servers.length;
    this.deliver(topic.servers[topic.cursor] as ServerConn, msg);
    return true;
  }

  /**
   * Send one delivery. ROUTER_MANDATORY makes a send to a peer ZeroMQ no longer knows (its process died)
   * fail at once: that server is dropped and its unacknowledged messages, this one included, re-routed.
   */
  private deliver(server: ServerConn, msg: Pending): void {
    if (msg.verb !== V.fanout) server.unacked.set(msg.msgId, msg);
    const ttl = msg.expiresAt ? Math.max(1, msg.expiresAt - Date.now()) : 0;
    this.socket
      .send([server.id, `${msg.verb}${SEP}${msg.msgId}${SEP}${ttl}`, msg.clientId, msg.body])
      .catch((err: Error) => this.dropServer(server, `is unreachable (${err.message})`));
  }

  private drain(name: string, topic: Topic): void {
    if (topic.queue.length === 0) return;
    const now = Date.now();
    const queued = topic.queue.splice(0);
    let delivered = 0;
    for (const msg of queued) {
      if (msg.expiresAt <= now) continue;
      if (this.dispatch(topic, msg)) delivered++;
      else topic.queue.push(msg);
    }
    if (delivered) log.info(`bus: delivered ${delivered} queued message(s) on '${name}'`);
  }

  /** Forget a server; what it had not acknowledged goes back to the front of its topic's queue. */
  private dropServer(server: ServerConn, why: string): void {
    if (!this.servers.delete(server.key)) return;
    log.warning(`bus: server ${server.info.host} (pid ${server.info.pid}) ${why}; removed from ${[...server.topics].join(", ")}`);
    for (const name of server.topics) {
      const topic = this.topic(name);
      topic.servers = topic.servers.filter((s) => s !== server);
      topic.cursor = 0;
    }
    // Watchers learn first, so they stop sending to it and resend what it had not acknowledged.
    for (const name of server.topics) this.publish(name);
    const now = Date.now();
    const back = [...server.unacked.values()].filter((m) => m.expiresAt > now);
    server.unacked.clear();
    for (const msg of back.reverse()) {
      const topic = this.topic(msg.topic);
      if (!this.dispatch(topic, msg)) topic.queue.unshift(msg);
    }
  }

  private sweep(): void {
    const now = Date.now();
    for (const server of [...this.servers.values()]) {
      if (now - server.lastSeen > server.info.heartbeatMs * this.missed) this.dropServer(server, "missed its heartbeats");
    }
    for (const [name, topic] of this.topics) {
      if (topic.queue.length && topic.queue.some((m) => m.expiresAt <= now)) {
        const expired = topic.queue.filter((m) => m.expiresAt <= now);
        topic.queue = topic.queue.filter((m) => m.expiresAt > now);
        if (topic.unserved)
          for (const m of expired) log.warning(`bus: cast ${m.msgId} dropped: no server registered topic '${name}' before it expired`);
      }
      // A topic only casts ever named goes once its last message has: it never had a server to wait for.
      if (topic.unserved && topic.queue.length === 0 && topic.servers.length === 0) this.topics.delete(name);
    }
  }

  private fail(verb: string, clientId: Buffer, msgId: string, message: string): void {
    if (verb !== V.call) {
      log.warning(`bus: ${verb === V.cast ? "cast" : "fanout"} ${msgId} dropped: ${message}`);
    }
    const reply: ReplyBody = { error: { exc_type: "MessageDeliveryFailure", message } };
    this.sendTo(clientId, [`${V.reply}${SEP}${msgId}`, encodeBody(reply)]);
  }

  private sendTo(id: Buffer, frames: Array<string | Buffer>): void {
    // A reply to a client that has gone away has nobody to go to.
    this.socket.send([id, ...frames]).catch(() => {});
  }
}
