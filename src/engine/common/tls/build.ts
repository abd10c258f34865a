// One certificate from its parts: subject, issuer (or none: self-signed), key, validity, kind.
import { randomBytes } from "node:crypto";
import forge from "node-forge";
import { signCertificate } from "./keys.js";
import { type AltName, type CertKind, extensionsFor } from "./profiles.js";

export interface BuildInput {
  kind: CertKind;
  subject: forge.pki.CertificateField[];
  publicPem: string;
  notBefore: Date;
  notAfter: Date;
  altNames?: AltName[];
  /** The signer; absent for a self-signed root (signed with `signerKeyPem`, the subject's own key). */
  issuer?: forge.pki.Certificate;
  signerKeyPem: string;
}

/** 128 random bits, top bit clear so the INTEGER stays positive, first byte non-zero so DER stays minimal. */
export function randomSerial(): string {
  const b = randomBytes(16);
  b[0] = ((b[0] as number) & 0x7f) | 0x10;
  return b.toString("hex");
}

export function buildCertificate(input: BuildInput): forge.pki.Certificate {
  if (input.notAfter <= input.notBefore) throw new Error("the certificate would end before it starts (check --days / --not-before)");
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(input.publicPem);
  cert.serialNumber = randomSerial();
  cert.validity.notBefore = input.notBefore;
  cert.validity.notAfter = input.notAfter;
  cert.setSubject(input.subject);
  cert.setIssuer(input.issuer ? input.issuer.subject.attributes : input.subject);
  const issuerKeyId = input.issuer ? subjectKeyId(input.issuer) : undefined;
  cert.setExtensions(extensionsFor(input.kind, { altNames: input.altNames, issuerKeyId }));
  signCertificate(cert, input.signerKeyPem);
  return cert;
}

/** The certificate's SKI as a binary string (from the extension, else computed like openssl's hash). */
export function subjectKeyId(cert: forge.pki.Certificate): string {
  const ext = cert.getExtension("subjectKeyIdentifier") as { subjectKeyIdentifier?: string } | null;
  if (ext?.subjectKeyIdentifier) return forge.util.hexToBytes(ext.subjectKeyIdentifier);
  return cert.generateSubjectKeyIdentifier().getBytes();
}
