// RSA keys and signatures done by node:crypto (native, ~200 ms a key, ~1 ms a signature) while
// node-forge builds the ASN.1; forge's own RSA signing is pure JavaScript and 50–130 ms per cert.
import { createPrivateKey, createPublicKey, generateKeyPair, sign } from "node:crypto";
import { promisify } from "node:util";
import forge from "node-forge";

const generate = promisify(generateKeyPair);

export interface KeyPair {
  privatePem: string;
  publicPem: string;
}

export async function generateRsaKey(bits = 2048): Promise<KeyPair> {
  const { privateKey, publicKey } = await generate("rsa", {
    modulusLength: bits,
    publicExponent: 0x10001,
    privateKeyEncoding: { type: "pkcs8", format: "pem" },
    publicKeyEncoding: { type: "spki", format: "pem" },
  });
  return { privatePem: privateKey, publicPem: publicKey };
}

export function publicPemOf(privatePem: string): string {
  return createPublicKey(createPrivateKey(privatePem)).export({ type: "spki", format: "pem" }).toString();
}

/** RSA PKCS#1 v1.5 over SHA-256 of `tbs` (forge binary string), returned as a forge binary string. */
export function signSha256(tbsDerBinary: string, privatePem: string): string {
  return sign("sha256", Buffer.from(tbsDerBinary, "binary"), privatePem).toString("binary");
}

/** Sign a forge certificate natively (what cert.sign(key, sha256) does, minus the pure-JS RSA). */
export function signCertificate(cert: forge.pki.Certificate, privatePem: string): void {
  const oid = forge.pki.oids.sha256WithRSAEncryption as string;
  cert.signatureOid = oid;
  cert.siginfo.algorithmOid = oid;
  // getTBSCertificate is public in forge but missing from @types/node-forge.
  const tbs = (forge.pki as unknown as { getTBSCertificate(c: forge.pki.Certificate): forge.asn1.Asn1 }).getTBSCertificate(cert);
  (cert as unknown as { tbsCertificate: forge.asn1.Asn1 }).tbsCertificate = tbs;
  cert.signature = signSha256(forge.asn1.toDer(tbs).getBytes(), privatePem);
}
