import type { WireError } from "./protocol.js";

/** Base of the bus's own errors (oslo_messaging.MessagingException). */
export class MessagingError extends Error {
  override name = "MessagingError";
  /** The type name as it would travel (same as name for local errors). */
  get exc_type(): string {
    return this.name;
  }
}

/** A call got no reply within its timeout (oslo_messaging.MessagingTimeout). */
export class MessagingTimeout extends MessagingError {
  override name = "MessagingTimeout";
  constructor(
    readonly msgId: string,
    readonly timeoutMs: number,
  ) {
    super(`Timed out waiting for a reply to message ID ${msgId}`);
  }
}

/** The broker could not deliver: nobody serves the topic, or the bus is shutting down. */
export class MessageDeliveryFailure extends MessagingError {
  override name = "MessageDeliveryFailure";
}

/** The server's endpoint is older than the version the caller asked for (oslo's UnsupportedVersion). */
export class UnsupportedVersion extends MessagingError {
  override name = "UnsupportedVersion";
  constructor(
    readonly version: string,
    readonly method: string,
    readonly serverVersion?: string,
  ) {
    super(
      `Endpoint does not support RPC version ${version}. Attempted method: ${method}` +
        (serverVersion ? ` (server implements ${serverVersion})` : ""),
    );
  }
}

/** No endpoint has the method (oslo's NoSuchMethod). */
export class NoSuchMethod extends MessagingError {
  override name = "NoSuchMethod";
  constructor(readonly method: string) {
    super(`Endpoint does not support RPC method ${method}`);
  }
}

/** The client or server was closed while a call was waiting. */
export class TransportClosed extends MessagingError {
  override name = "TransportClosed";
}

/**
 * An exception raised by the remote handler, re-created on the caller's side: `name` and `exc_type` are
 * the remote class name (e.g. "NoValidHost"), `message` is its message, `data` its extra fields (e.g. a
 * `code`), `remoteTraceback` its stack. `instanceof RemoteError` tells it apart from local errors.
 */
export class RemoteError extends Error {
  readonly exc_type: string;
  readonly data: Record<string, unknown>;
  readonly remoteTraceback?: string;
  constructor(wire: WireError) {
    super(wire.message);
    this.name = wire.exc_type;
    this.exc_type = wire.exc_type;
    this.data = wire.data ?? {};
    this.remoteTraceback = wire.traceback;
  }
}

/** Type name of any error, local or re-created remote (what Nova records as a fault's class). */
export function excType(err: unknown): string {
  if (err instanceof RemoteError) return err.exc_type;
  if (err instanceof Error) return err.name !== "Error" ? err.name : err.constructor.name;
  return typeof err;
}

/** Errors of the bus itself, re-created as their own class when they come back over the wire. */
const LOCAL_CLASSES: Record<string, (w: WireError) => Error> = {
  MessageDeliveryFailure: (w) => new MessageDeliveryFailure(w.message),
  UnsupportedVersion: (w) =>
    Object.assign(new UnsupportedVersion(String(w.data?.version ?? "?"), String(w.data?.method ?? "?")), { message: w.message }),
  NoSuchMethod: (w) => new NoSuchMethod(String(w.data?.method ?? "?")),
};

export function serializeError(err: unknown): WireError {
  if (!(err instanceof Error)) return { exc_type: "Exception", message: String(err) };
  const data: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(err)) {
    if (k === "name" || k === "message" || k === "stack" || typeof v === "function") continue;
    try {
      JSON.stringify(v);
      data[k] = v;
    } catch {
      data[k] = String(v);
    }
  }
  return { exc_type: excType(err), message: err.message, data, traceback: err.stack };
}

export function deserializeError(w: WireError): Error {
  const make = LOCAL_CLASSES[w.exc_type];
  return make ? make(w) : new RemoteError(w);
}
