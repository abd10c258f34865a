/**
 * The wire protocol between clients, the broker and servers. A message is a header frame (verb and
 * routing fields joined by TAB), then at most a client id and a body (JSON). The broker routes on the
 * header and never decodes a body. Fewer frames is measurably cheaper: 2 frames instead of 5 saved
 * ~10 µs of CPU per round trip in zeromq.js.
 *
 * Two paths, as in oslo.messaging's ZeroMQ driver (a matchmaker for discovery, direct connections for
 * traffic): the broker is the registry (servers register topics and their own direct endpoint, and
 * heartbeat) and the durable queue for topics with no live server; a client that has learned a topic's
 * live servers sends calls/casts/fanouts straight to one of them (a DEALER per server, connected to the
 * server's ROUTER), and replies come straight back.
 *
 * Through the broker:
 * client -> broker   ["c|s|f TAB topic TAB msgId TAB ttlMs", body]  call / cast / fanout
 *                    ["p TAB pingId"]                                health check
 *                    ["w TAB topic"]                                 watch a topic's live servers
 *                    ["y TAB endpoint TAB barrierId"]                barrier to the server at endpoint (see direct-link.ts)
 * broker -> client   ["r TAB msgId", body]                           reply: {result} or {error}
 *                    ["P TAB pingId", statsJSON]                     pong
 *                    ["T TAB topic", TopicServers JSON]              a watched topic's servers (on watch, on every change)
 *                    ["Y TAB barrierId"]                             the server has seen the barrier
 * server -> broker   ["g TAB topic", infoJSON]                       register for a topic (info has the direct endpoint)
 *                    ["h"]                                           heartbeat
 *                    ["a TAB msgId"]                                 acknowledge receipt (cast, or a call still running)
 *                    ["r TAB msgId", clientId, body]                 reply to a call (also acknowledges it)
 *                    ["b"]                                           going away cleanly
 *                    ["Y TAB barrierId", clientId]                   seen the barrier (after all that came before it)
 * broker -> server   ["c|s|f TAB msgId TAB ttlMs", clientId, body]   a delivery
 *                    ["G TAB topic"]                                 registered
 *                    ["?"]                                           "who are you?": the broker restarted; register again
 *                    ["y TAB barrierId", clientId]                   a client's barrier
 *
 * Direct (client DEALER -> server ROUTER, which prefixes the client's routing id), one frame each: every
 * frame costs ~4 µs of a round trip in zeromq.js, so the header and the body are joined by a newline.
 * client -> server   ["c|s|f TAB msgId TAB ttlMs NL body"]           a delivery
 * server -> client   ["r TAB msgId NL body"]                         reply to a call (also acknowledges it)
 *                    ["a TAB msgId"]                                 acknowledge receipt (cast, or a call still running)
 * A client keeps what it sent directly until it is acknowledged; when the server goes away (its
 * connection drops, or the broker says it is no longer live) the unacknowledged messages are sent again
 * through the broker, which hands them to another live server or queues them.
 */
export const SEP = "\t";
/** Ends the header of a one-frame direct message. */
export const NL = "\n";
export const V = {
  call: "c",
  cast: "s",
  fanout: "f",
  ping: "p",
  reply: "r",
  pong: "P",
  watch: "w",
  topicServers: "T",
  barrier: "y",
  barrierDone: "Y",
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
  /** The server's own ROUTER (tcp://ADDR:PORT) that clients may send to directly; absent: broker only. */
  endpoint?: string;
}

/**
 * The broker's answer to a watch, and its news when a watched topic's servers change. `known` is false
 * for a topic nobody ever served (messages to it fail at once). Each live server is listed by its direct
 * endpoint, or null when it has none (then clients send that topic's messages through the broker).
 */
export interface TopicServers {
  known: boolean;
  endpoints: Array<string | null>;
}
