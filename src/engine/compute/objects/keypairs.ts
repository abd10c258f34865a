import { createHash, generateKeyPairSync } from "node:crypto";
import type { Db } from "../../common/db/database.js";
import { utcNow } from "../db/open.js";

export interface KeyPair {
  id: number;
  name: string;
  user_id: string;
  fingerprint: string;
  public_key: string;
  type: string;
  created_at: string;
}

export class KeyPairError extends Error {
  override name = "InvalidKeypair";
}

const sshString = (b: Buffer): Buffer => {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(b.length);
  return Buffer.concat([len, b]);
};

/** An unsigned big-endian integer as an SSH mpint (a leading zero when the top bit is set). */
const mpint = (b: Buffer): Buffer => {
  let i = 0;
  while (i < b.length - 1 && b[i] === 0) i++;
  let v = b.subarray(i);
  if ((v[0] ?? 0) & 0x80) v = Buffer.concat([Buffer.from([0]), v]);
  return sshString(v);
};

/** The OpenSSH wire blob of a public key (what a `ssh-rsa AAAA…` line base64-encodes). */
function opensshBlob(type: "ssh-rsa" | "ssh-ed25519", jwk: { n?: string; e?: string; x?: string }): Buffer {
  if (type === "ssh-rsa")
    return Buffer.concat([
      sshString(Buffer.from(type)),
      mpint(Buffer.from(jwk.e ?? "", "base64url")),
      mpint(Buffer.from(jwk.n ?? "", "base64url")),
    ]);
  return Buffer.concat([sshString(Buffer.from(type)), sshString(Buffer.from(jwk.x ?? "", "base64url"))]);
}

/** Nova's fingerprint of an SSH public key: MD5 of the key blob, as colon-separated hex. */
export function fingerprintOf(publicKey: string): string {
  const parts = publicKey.trim().split(/\s+/);
  const type = parts[0] ?? "";
  const b64 = parts[1] ?? "";
  if (!/^(ssh-(rsa|dss|ed25519)|ecdsa-sha2-nistp(256|384|521))$/.test(type) || !/^[A-Za-z0-9+/]+={0,2}$/.test(b64))
    throw new KeyPairError("Keypair data is invalid: failed to generate fingerprint");
  const blob = Buffer.from(b64, "base64");
  // The blob starts with its own type string; a mismatch means the line is not a real key.
  const inner = blob.length > 4 ? blob.subarray(4, 4 + blob.readUInt32BE(0)).toString() : "";
  if (inner !== type) throw new KeyPairError("Keypair data is invalid: failed to generate fingerprint");
  return (createHash("md5").update(blob).digest("hex").match(/../g) ?? []).join(":");
}

/** `keypair create` without a public key: a fresh ssh-rsa (2048 bits) or ssh-ed25519 key, private part in OpenSSH/PEM form. */
export function generateKeyPair(
  name: string,
  type: "ssh" | "x509" = "ssh",
  algorithm: "rsa" | "ed25519" = "rsa",
): { publicKey: string; privateKey: string } {
  if (algorithm === "ed25519") {
    const { publicKey, privateKey } = generateKeyPairSync("ed25519");
    const blob = opensshBlob("ssh-ed25519", publicKey.export({ format: "jwk" }));
    return {
      publicKey: `ssh-ed25519 ${blob.toString("base64")} Generated-by-Nova`,
      privateKey: privateKey.export({ type: "pkcs8", format: "pem" }).toString(),
    };
  }
  const { publicKey, privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const blob = opensshBlob("ssh-rsa", publicKey.export({ format: "jwk" }));
  void name;
  void type;
  return {
    publicKey: `ssh-rsa ${blob.toString("base64")} Generated-by-Nova`,
    privateKey: privateKey.export({ type: "pkcs1", format: "pem" }).toString(),
  };
}

export function keypairsOf(db: Db, userId: string): KeyPair[] {
  return db.prepare("SELECT * FROM key_pairs WHERE user_id = ? ORDER BY name").all(userId) as KeyPair[];
}

export function keypairByName(db: Db, userId: string, name: string): KeyPair | undefined {
  return db.prepare("SELECT * FROM key_pairs WHERE user_id = ? AND name = ?").get(userId, name) as KeyPair | undefined;
}

export function createKeypair(db: Db, k: { name: string; user_id: string; public_key: string; type: string }): KeyPair {
  const fingerprint = fingerprintOf(k.public_key);
  db.prepare("INSERT INTO key_pairs (name, user_id, fingerprint, public_key, type, created_at) VALUES (?, ?, ?, ?, ?, ?)").run(
    k.name,
    k.user_id,
    fingerprint,
    k.public_key.trim(),
    k.type,
    utcNow(),
  );
  return keypairByName(db, k.user_id, k.name) as KeyPair;
}

export function deleteKeypair(db: Db, userId: string, name: string): boolean {
  return db.prepare("DELETE FROM key_pairs WHERE user_id = ? AND name = ?").run(userId, name).changes > 0;
}
