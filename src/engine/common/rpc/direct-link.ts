import { Dealer } from "zeromq";
import { log } from "../log.js";
import { SEP, V } from "./protocol.js";

/** A call, cast or fanout on its way: enough to send it again through the broker. */
export interface Outgoing {
  verb: string;
  topic: string;
  msgId: string;
  body: Buffer;
  /** Epoch ms after which nobody waits for it any more (the caller's timeout, or the cast's ttl). */
  expiresAt: number;
}

/** What a link needs from the client that owns it. */
export interface LinkOwner {
  /** A reply ["r TAB msgId", body] that came straight back from the server. */
  onReply(msgId: string, body: Buffer | undefined): void;
  /** Send again through the broker what this server may not have received. */
  reroute(messages: Outgoing[]): void;
}

/**
 * A client's direct connection to one server's ROUTER. IMMEDIATE + a zero send timeout make a send fail
 * at once while there is no connection (then the message goes through the broker instead), and the
 * socket's own events say when the connection comes and goes. What was sent and not yet acknowledged is
 * kept: if the connection drops (the server died) it is rerouted through the broker.
 */
export class DirectLink {
  private readonly socket: Dealer;
  /** Connected and past the ZeroMQ handshake: safe to send to. */
  up = false;
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
      this.up = true;
    });
    this.socket.events.on("disconnect", () => {
      this.up = false;
      this.rescue();
    });
    this.socket.connect(endpoint);
    void this.loop();
  }

  /** Hand a message to this server; false when it cannot take it now (send it through the broker). */
  send(out: Outgoing): boolean {
    if (!this.up || this.closed) return false;
    const tracked = out.verb !== V.fanout;
    if (tracked) this.unacked.set(out.msgId, out);
    this.socket.send([`${out.verb}${SEP}${out.msgId}${SEP}${Math.max(1, out.expiresAt - Date.now())}`, out.body]).catch(() => {
      // Not queued (the connection went, or the server is far behind): the broker takes it instead.
      if (tracked && this.unacked.delete(out.msgId)) this.owner.reroute([out]);
      else if (!tracked) log.warning(`rpc: fanout ${out.msgId} to ${this.endpoint} dropped: the server is unreachable`);
    });
    return true;
  }

  /** The server is gone (or no longer serves our topics): reroute what it had not acknowledged, and close. */
  retire(): void {
    if (this.closed) return;
    this.closed = true;
    this.up = false;
    this.rescue();
    this.socket.close();
  }

  /** A caller gave up on this message: nothing to resend for it. */
  forget(msgId: string): void {
    this.unacked.delete(msgId);
  }

  private rescue(): void {
    if (this.unacked.size === 0) return;
    const now = Date.now();
    const live = [...this.unacked.values()].filter((m) => m.expiresAt > now);
    this.unacked.clear();
    if (live.length) this.owner.reroute(live);
  }

  private async loop(): Promise<void> {
    try {
      for await (const [hdr, body] of this.socket) {
        const h = hdr?.toString() ?? "";
        const tab = h.indexOf(SEP);
        if (tab !== 1) continue;
        const msgId = h.slice(2);
        this.unacked.delete(msgId);
        if (h[0] === V.reply) this.owner.onReply(msgId, body);
      }
    } catch (err) {
      if (!this.closed) log.error(`rpc: direct link to ${this.endpoint} failed: ${(err as Error).stack ?? err}`);
    }
  }
}
