import { Dealer } from "zeromq";
import { log } from "../log.js";
import { NL, SEP, V } from "./protocol.js";

/** A call, cast or fanout on its way: enough to send it again through the broker. */
export interface Outgoing {
  verb: string;
  topic: string;
  msgId: string;
  body: string;
  /** Epoch ms after which nobody waits for it any more (the caller's timeout, or the cast's ttl). */
  expiresAt: number;
}

/** What a link needs from the client that owns it. */
export interface LinkOwner {
  /** A reply ["r TAB msgId", body] that came straight back from the server. */
  onReply(msgId: string, body: Buffer | undefined): void;
  /** Send again through the broker what this server may not have received, in the order it was sent. */
  reroute(messages: Outgoing[]): void;
  /** Send a barrier to this server through the broker; returns its id (answered by link.synced(id)). */
  barrier(link: DirectLink): string;
}

/**
 * A client's direct connection to one server's ROUTER.
 *
 * Order: a client's messages to a topic reach its server in the order they were sent, whichever way they
 * go. Before the connection is usable, messages go through the broker; once ZeroMQ has connected, a
 * barrier goes through the broker too, and messages wait here until the server has seen it (so after
 * everything sent through the broker before), then go direct.
 *
 * Loss: IMMEDIATE + a zero send timeout make a send fail at once while there is no connection, and the
 * socket's events say when the connection drops. What was sent and not yet acknowledged is kept, and
 * rerouted through the broker (which hands it to another live server or queues it) when the connection
 * drops, a send fails, or the broker says the server is gone. After a drop, new messages wait a moment
 * (DRAIN_MS) while the acknowledgements that arrived before it are read, then everything still
 * unacknowledged goes to the broker in the order it was sent.
 */
const DRAIN_MS = 20;

export class DirectLink {
  private readonly socket: Dealer;
  private connected = false;
  private state: "down" | "syncing" | "ready" | "draining" = "down";
  private barrierId = "";
  /** Sent while syncing: they go out when the barrier comes back. */
  private held: Outgoing[] = [];
  /** How many of the client's topics list this server. */
  refs = 0;
  private readonly unacked = new Map<string, Outgoing>();
  private closed = false;

  constructor(
    readonly endpoint: string,
    private readonly owner: LinkOwner,
  ) {
    this.socket = new Dealer({ linger: 0, immediate: true, sendTimeout: 0, ipv6: endpoint.includes("[") });
    this.socket.events.on("handshake", () => {
      this.connected = true;
      if (this.state !== "draining") this.sync();
    });
    this.socket.events.on("disconnect", () => {
      this.connected = false;
      this.hiccup();
    });
    this.socket.connect(endpoint);
    void this.loop();
  }

  /** Sends at once (what a fanout needs: it is never held nor resent). */
  get ready(): boolean {
    return this.state === "ready";
  }

  /** Hand a message to this server; false when it cannot take it now (send it through the broker). */
  send(out: Outgoing): boolean {
    if (this.state === "down") return false;
    if (out.verb === V.fanout) {
      if (this.state !== "ready") return false;
      this.write(out);
      return true;
    }
    this.unacked.set(out.msgId, out);
    if (this.state === "ready") this.write(out);
    else this.held.push(out);
    return true;
  }

  /** The barrier came back: everything sent through the broker before it has reached the server. */
  synced(id: string): void {
    if (this.state !== "syncing" || id !== this.barrierId) return;
    this.state = "ready";
    const held = this.held;
    this.held = [];
    for (const out of held) if (this.state === "ready") this.write(out);
  }

  /** The server is gone (or no longer serves our topics): reroute what it had not acknowledged, and close. */
  retire(): void {
    if (this.closed) return;
    this.closed = true;
    this.state = "down";
    this.rescue();
    this.socket.close();
  }

  private write(out: Outgoing): void {
    const ttl = Math.max(1, out.expiresAt - Date.now());
    this.socket.send(`${out.verb}${SEP}${out.msgId}${SEP}${ttl}${NL}${out.body}`).catch(() => {
      // Not queued: the connection went, or the server is far behind.
      if (out.verb === V.fanout) log.warning(`rpc: fanout ${out.msgId} to ${this.endpoint} dropped: the server is unreachable`);
      this.hiccup();
    });
  }

  private sync(): void {
    if (this.closed) return;
    this.state = "syncing";
    this.barrierId = this.owner.barrier(this);
  }

  /** Reroute everything not acknowledged, in order, then sync again if (re)connected. */
  private hiccup(): void {
    if (this.closed || this.state === "down" || this.state === "draining") return;
    this.state = "draining";
    setTimeout(() => {
      if (this.closed) return;
      this.state = "down";
      this.rescue();
      if (this.connected) this.sync();
    }, DRAIN_MS).unref();
  }

  private rescue(): void {
    this.held = [];
    if (this.unacked.size === 0) return;
    const now = Date.now();
    const live = [...this.unacked.values()].filter((m) => m.expiresAt > now);
    this.unacked.clear();
    if (live.length) this.owner.reroute(live);
  }

  private async loop(): Promise<void> {
    try {
      for await (const [msg] of this.socket) {
        // "a TAB msgId" or "r TAB msgId NL body"
        if (!msg || msg[1] !== 9) continue;
        const nl = msg.indexOf(10);
        const msgId = msg.toString("latin1", 2, nl < 0 ? msg.length : nl);
        this.unacked.delete(msgId);
        if (msg[0] === 114 /* r */) this.owner.onReply(msgId, nl < 0 ? undefined : msg.subarray(nl + 1));
      }
    } catch (err) {
      if (!this.closed) log.error(`rpc: direct link to ${this.endpoint} failed: ${(err as Error).stack ?? err}`);
    }
  }
}
