// Keystone's Fernet token payloads: a msgpack array [version, ...fields], one layout per scope, laid out
// as keystone/token/token_formatters.py does so a token's plaintext matches what Keystone would pack:
//   0 unscoped:        [user, methods, expires_at, audit_ids]
//   1 domain-scoped:   [user, methods, domain, expires_at, audit_ids]
//   2 project-scoped:  [user, methods, project, expires_at, audit_ids]
//   8 system-scoped:   [user, methods, system, expires_at, audit_ids]
//   9 app credential:  [user, methods, project, expires_at, audit_ids, app_cred]
// An id is packed as [true, 16 uuid bytes] when it is a uuid hex string, else [false, string]; the
// domain id of version 1 is bare (16 bytes, or the string for a non-uuid id such as "default").
// expires_at is a float64 of epoch seconds; audit ids are packed as their 16 decoded bytes.
import { decode, Encoder } from "@msgpack/msgpack";
import { TokenInvalid } from "./errors.js";
import { integerToMethods, methodsToInteger } from "./methods.js";
import type { TokenPayload } from "./types.js";

export const PAYLOAD_VERSION = {
  unscoped: 0,
  domainScoped: 1,
  projectScoped: 2,
  systemScoped: 8,
  applicationCredential: 9,
} as const;

export type PayloadFields = Omit<TokenPayload, "issued_at">;

/** Keystone ids are uuid4().hex; only that exact form is packed as bytes, so any id round-trips unchanged. */
const UUID_HEX = /^[0-9a-f]{32}$/;
const AUDIT_ID = /^[A-Za-z0-9_-]{22}$/;

const encoder = new Encoder();

type PackedId = [boolean, Uint8Array | string];

function packId(id: string): PackedId {
  return UUID_HEX.test(id) ? [true, Buffer.from(id, "hex")] : [false, id];
}

function packBareId(id: string): Uint8Array | string {
  return UUID_HEX.test(id) ? Buffer.from(id, "hex") : id;
}

function packAuditId(id: string): Uint8Array {
  if (!AUDIT_ID.test(id)) throw new TypeError(`audit id '${id}' is not 22 url-safe base64 characters`);
  return Buffer.from(id, "base64url");
}

function requireField(value: string | undefined, name: string, kind: string): string {
  if (!value) throw new TypeError(`a ${kind} token needs ${name}`);
  return value;
}

/** Which layout a payload takes, in the order Keystone's Fernet provider decides it. */
export function payloadVersionFor(p: PayloadFields): number {
  const scopes = [p.project_id, p.domain_id, p.system].filter((s) => s !== undefined).length;
  if (scopes > 1) throw new TypeError("a token is scoped to at most one of project, domain or system");
  if (p.app_cred_id !== undefined) return PAYLOAD_VERSION.applicationCredential;
  if (p.project_id !== undefined) return PAYLOAD_VERSION.projectScoped;
  if (p.domain_id !== undefined) return PAYLOAD_VERSION.domainScoped;
  if (p.system !== undefined) return PAYLOAD_VERSION.systemScoped;
  return PAYLOAD_VERSION.unscoped;
}

/** Serialize a payload to the msgpack bytes Keystone encrypts. */
export function packPayload(p: PayloadFields): Buffer {
  const version = payloadVersionFor(p);
  const user = packId(p.user_id);
  const methods = methodsToInteger(p.methods);
  if (p.audit_ids.length === 0) throw new TypeError("a token needs at least one audit id");
  const audit = p.audit_ids.map(packAuditId);
  const expiresMs = p.expires_at.getTime();
  if (!Number.isFinite(expiresMs)) throw new TypeError("expires_at is not a valid date");
  const expires = float64(expiresMs / 1000);

  let fields: unknown[];
  switch (version) {
    case PAYLOAD_VERSION.unscoped:
      fields = [user, methods, expires, audit];
      break;
    case PAYLOAD_VERSION.domainScoped:
      fields = [user, methods, packBareId(requireField(p.domain_id, "domain_id", "domain-scoped")), expires, audit];
      break;
    case PAYLOAD_VERSION.projectScoped:
      fields = [user, methods, packId(requireField(p.project_id, "project_id", "project-scoped")), expires, audit];
      break;
    case PAYLOAD_VERSION.systemScoped:
      if (p.system !== "all") throw new TypeError(`system scope must be 'all', not '${p.system}'`);
      fields = [user, methods, p.system, expires, audit];
      break;
    default: {
      const project = packId(requireField(p.project_id, "project_id", "application credential"));
      fields = [user, methods, project, expires, audit, packId(requireField(p.app_cred_id, "app_cred_id", "application credential"))];
    }
  }
  return encodeArray([version, ...fields]);
}

/** Parse decrypted payload bytes; anything that is not a known layout is a TokenInvalid. */
export function unpackPayload(bytes: Uint8Array): PayloadFields {
  let value: unknown;
  try {
    value = decode(bytes);
  } catch {
    throw new TokenInvalid("token payload is not msgpack", "payload");
  }
  if (!Array.isArray(value) || value.length === 0) throw new TokenInvalid("token payload is not an array", "payload");
  const [version, ...f] = value as unknown[];
  try {
    switch (version) {
      case PAYLOAD_VERSION.unscoped:
        expectLength(f, 4);
        return base(f[0], f[1], f[2], f[3]);
      case PAYLOAD_VERSION.domainScoped:
        expectLength(f, 5);
        return { ...base(f[0], f[1], f[3], f[4]), domain_id: unpackBareId(f[2]) };
      case PAYLOAD_VERSION.projectScoped:
        expectLength(f, 5);
        return { ...base(f[0], f[1], f[3], f[4]), project_id: unpackId(f[2]) };
      case PAYLOAD_VERSION.systemScoped:
        expectLength(f, 5);
        if (f[2] !== "all") throw new Error(`unknown system scope ${JSON.stringify(f[2])}`);
        return { ...base(f[0], f[1], f[3], f[4]), system: "all" };
      case PAYLOAD_VERSION.applicationCredential:
        expectLength(f, 6);
        return { ...base(f[0], f[1], f[3], f[4]), project_id: unpackId(f[2]), app_cred_id: unpackId(f[5]) };
      default:
        throw new Error(`not a recognized Fernet payload version: ${String(version)}`);
    }
  } catch (err) {
    throw new TokenInvalid(`token payload is malformed: ${(err as Error).message}`, "payload");
  }
}

function base(user: unknown, methods: unknown, expires: unknown, audit: unknown): PayloadFields {
  if (typeof methods !== "number") throw new Error("methods is not an integer");
  if (typeof expires !== "number" || !Number.isFinite(expires)) throw new Error("expires_at is not a number");
  if (!Array.isArray(audit)) throw new Error("audit_ids is not an array");
  return {
    user_id: unpackId(user),
    methods: integerToMethods(methods),
    expires_at: new Date(Math.round(expires * 1000)),
    audit_ids: audit.map((a) => {
      if (!(a instanceof Uint8Array) || a.length !== 16) throw new Error("audit id is not 16 bytes");
      return Buffer.from(a.buffer, a.byteOffset, a.length).toString("base64url");
    }),
  };
}

function unpackId(value: unknown): string {
  if (!Array.isArray(value) || value.length !== 2) throw new Error("id is not a [is_bytes, value] pair");
  const [isBytes, id] = value as [unknown, unknown];
  if (isBytes === true) return uuidBytesToHex(id);
  if (isBytes === false) return textOf(id);
  throw new Error("id flag is not a boolean");
}

function unpackBareId(value: unknown): string {
  if (value instanceof Uint8Array && value.length === 16) return uuidBytesToHex(value);
  return textOf(value);
}

function uuidBytesToHex(value: unknown): string {
  if (!(value instanceof Uint8Array) || value.length !== 16) throw new Error("uuid is not 16 bytes");
  return Buffer.from(value.buffer, value.byteOffset, value.length).toString("hex");
}

/** Old Keystone (msgpack < 1.0) packed text as raw bytes; accept both, as Keystone does. */
function textOf(value: unknown): string {
  if (typeof value === "string") return value;
  if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.length).toString("utf8");
  throw new Error("id is not text");
}

function expectLength(fields: unknown[], n: number) {
  if (fields.length !== n) throw new Error(`expected ${n} fields, found ${fields.length}`);
}

// Python packs expires_at as a float even when it is a whole number of seconds (Keystone's default
// expiry has no sub-second part), so it is written as a msgpack float64 by hand: a JS number that
// happens to be an integer would otherwise be packed as an int.
class Float64 {
  constructor(readonly value: number) {}
}
function float64(value: number) {
  return new Float64(value);
}

function encodeArray(items: unknown[]): Buffer {
  if (items.length > 15) throw new Error("payload arrays are short (fixarray)");
  const parts: Uint8Array[] = [Uint8Array.of(0x90 | items.length)];
  for (const item of items) {
    if (item instanceof Float64) {
      const b = Buffer.allocUnsafe(9);
      b[0] = 0xcb;
      b.writeDoubleBE(item.value, 1);
      parts.push(b);
    } else {
      parts.push(encoder.encode(item));
    }
  }
  return Buffer.concat(parts);
}
