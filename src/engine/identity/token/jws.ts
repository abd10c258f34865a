// JWS tokens (Keystone's `[token] provider = jws`): a compact ES256 JWS whose claims are those of
// keystone/token/providers/jws: sub, iat, exp (whole epoch seconds), openstack_methods,
// openstack_audit_ids and, when set, openstack_system / openstack_domain_id / openstack_project_id /
// openstack_app_cred_id. Keys live as keystone-manage create_jws_keypair writes them (PKCS8 private,
// SPKI public, PEM), laid out like Keystone's two repositories under one directory:
//   <dir>/private/private.pem (0600)   signs
//   <dir>/public/*.pem                 every one of them is tried when validating
import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { compactVerify, decodeProtectedHeader, SignJWT } from "jose";
import { KeysNotFound, TokenInvalid } from "./errors.js";
import type { PayloadFields } from "./payload.js";

export const JWS_ALGORITHM = "ES256";

export function jwsPaths(dir: string) {
  return {
    privateDir: join(dir, "private"),
    privateKey: join(dir, "private", "private.pem"),
    publicDir: join(dir, "public"),
    publicKey: join(dir, "public", "public.pem"),
  };
}

/** Create a P-256 key pair. Returns false (and keeps the old pair) if a private key already exists, unless force. */
export function createJwsKeyPair(dir: string, force = false): boolean {
  const paths = jwsPaths(dir);
  if (existsSync(paths.privateKey) && !force) return false;
  mkdirSync(paths.privateDir, { recursive: true, mode: 0o700 });
  chmodSync(paths.privateDir, 0o700);
  mkdirSync(paths.publicDir, { recursive: true, mode: 0o755 });
  const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
  writeFileSync(paths.privateKey, privateKey.export({ format: "pem", type: "pkcs8" }), { mode: 0o600 });
  chmodSync(paths.privateKey, 0o600);
  writeFileSync(paths.publicKey, publicKey.export({ format: "pem", type: "spki" }), { mode: 0o644 });
  return true;
}

export interface JwsKeys {
  privateKey: KeyObject;
  publicKeys: KeyObject[];
}

export function loadJwsKeys(dir: string): JwsKeys {
  const paths = jwsPaths(dir);
  if (!existsSync(paths.privateKey)) {
    throw new KeysNotFound(`${paths.privateKey} does not exist; create a key pair with create_jws_keypair`);
  }
  const privateKey = createPrivateKey(readFileSync(paths.privateKey));
  const publicKeys = existsSync(paths.publicDir)
    ? readdirSync(paths.publicDir)
        .filter((n) => n.endsWith(".pem"))
        .sort()
        .map((n) => createPublicKey(readFileSync(join(paths.publicDir, n))))
    : [];
  if (publicKeys.length === 0) throw new KeysNotFound(`${paths.publicDir} must contain at least one public key`);
  return { privateKey, publicKeys };
}

/** Sign a payload; issuedAt is in whole seconds, as the iat claim carries it. */
export async function signJws(keys: JwsKeys, p: PayloadFields, issuedAtSeconds: number): Promise<string> {
  const claims: Record<string, unknown> = {
    openstack_methods: p.methods,
    openstack_audit_ids: p.audit_ids,
  };
  if (p.system !== undefined) claims.openstack_system = p.system;
  if (p.domain_id !== undefined) claims.openstack_domain_id = p.domain_id;
  if (p.project_id !== undefined) claims.openstack_project_id = p.project_id;
  if (p.app_cred_id !== undefined) claims.openstack_app_cred_id = p.app_cred_id;
  return new SignJWT(claims)
    .setProtectedHeader({ alg: JWS_ALGORITHM, typ: "JWT" })
    .setSubject(p.user_id)
    .setIssuedAt(issuedAtSeconds)
    .setExpirationTime(Math.trunc(p.expires_at.getTime() / 1000))
    .sign(keys.privateKey);
}

export interface VerifiedJws {
  fields: PayloadFields;
  issuedAtSeconds: number;
}

/** Check the signature against each public key; expiry is the caller's to judge, as in Keystone. */
export async function verifyJws(keys: JwsKeys, token: string): Promise<VerifiedJws> {
  let header: ReturnType<typeof decodeProtectedHeader>;
  try {
    header = decodeProtectedHeader(token);
  } catch {
    throw new TokenInvalid("token is not a compact JWS", "malformed");
  }
  if (header.alg !== JWS_ALGORITHM) throw new TokenInvalid(`JWS algorithm ${String(header.alg)} is not accepted`, "signature");
  let payload: Uint8Array | undefined;
  for (const key of keys.publicKeys) {
    try {
      payload = (await compactVerify(token, key, { algorithms: [JWS_ALGORITHM] })).payload;
      break;
    } catch {
      // try the next public key, as Keystone does
    }
  }
  if (!payload) throw new TokenInvalid("JWS signature does not match any public key", "signature");
  let claims: Record<string, unknown>;
  try {
    claims = JSON.parse(Buffer.from(payload).toString("utf8"));
  } catch {
    throw new TokenInvalid("JWS payload is not JSON", "payload");
  }
  return { fields: claimsToFields(claims), issuedAtSeconds: intClaim(claims, "iat") };
}

function claimsToFields(c: Record<string, unknown>): PayloadFields {
  if (typeof c.sub !== "string") throw new TokenInvalid("JWS has no sub claim", "payload");
  const fields: PayloadFields = {
    user_id: c.sub,
    methods: stringList(c, "openstack_methods"),
    audit_ids: stringList(c, "openstack_audit_ids"),
    expires_at: new Date(intClaim(c, "exp") * 1000),
  };
  if (c.openstack_system !== undefined) {
    if (c.openstack_system !== "all") throw new TokenInvalid("openstack_system must be 'all'", "payload");
    fields.system = "all";
  }
  for (const [claim, field] of [
    ["openstack_domain_id", "domain_id"],
    ["openstack_project_id", "project_id"],
    ["openstack_app_cred_id", "app_cred_id"],
  ] as const) {
    const v = c[claim];
    if (v === undefined) continue;
    if (typeof v !== "string") throw new TokenInvalid(`${claim} is not a string`, "payload");
    fields[field] = v;
  }
  return fields;
}

function intClaim(c: Record<string, unknown>, name: string): number {
  const v = c[name];
  if (typeof v !== "number" || !Number.isFinite(v)) throw new TokenInvalid(`JWS has no numeric ${name} claim`, "payload");
  return v;
}

function stringList(c: Record<string, unknown>, name: string): string[] {
  const v = c[name];
  if (!Array.isArray(v) || !v.every((x) => typeof x === "string")) {
    throw new TokenInvalid(`JWS claim ${name} is not a list of strings`, "payload");
  }
  return v;
}
