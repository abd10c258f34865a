/**
 * The wire protocol between clients, the broker and servers. Every message is a few ZeroMQ frames: a
 * one-letter verb, routing fields as short strings, and the body (JSON) last. The broker routes on the
 * small frames and never decodes a body, which keeps its per-hop cost low.
 *
 * client -> broker   [verb c|s|f, topic, msgId, ttlMs, body]   call / cast / fanout
 *                    [p, pingId]                               health check
 * broker -> client   [r, msgId, body]                          reply: {result} or {error}
 *                    [P, pingId, statsJSON]                    pong
 * server -> broker   [g, topic, infoJSON]                      register for a topic
 *                    [h]                                       heartbeat
 *                    [a, clientId, msgId]                      acknowledge receipt (cast, or a call still running)
 *                    [r, clientId, msgId, body]                reply to a call (also acknowledges it)
 *                    [b]                                       going away cleanly
 * broker -> server   [c|s|f, clientId, msgId, ttlMs, body]     a delivery
 *                    [G, topic]                                registered
 *                    [?]                                       "who are you?": the broker restarted; register again
 */
export const V = {
  call: "c",
  cast: "s",
  fanout: "f",
  ping: "p",
  reply: "r",
  pong: "P",
  register: "g",
  registered: "G",
  heartbeat: "h",
  ack: "a",
  bye: "b",
  whoAreYou: "?",
} as const;

export type DeliveryKind = "call" | "cast" | "fanout";
export const KIND_OF_VERB: Record<string, DeliveryKind> = { c: "call", s: "cast", f: "fanout" };

/** What a client puts in the body of a call/cast/fanout. */
export interface RequestBody {
  method: string;
  args: Record<string, unknown>;
  version?: string;
  ctx: unknown;
}

/** An error as it travels: enough to re-create it on the other side (oslo's serialize_remote_exception). */
export interface WireError {
  exc_type: string;
  message: string;
  data?: Record<string, unknown>;
  traceback?: string;
}

export type ReplyBody = { result: unknown } | { error: WireError };

/** What a server tells the broker when it registers. */
export interface ServerInfo {
  host: string;
  version: string;
  heartbeatMs: number;
  pid: number;
}
