// A version 2 certificate revocation list (RFC 5280 §5), built with forge's ASN.1 (forge has no CRL
// writer) and signed natively. OpenSSL and Node's tls `crl` option read it.
import forge from "node-forge";
import { subjectKeyId } from "./build.js";
import { signSha256 } from "./keys.js";

const { asn1 } = forge;
const U = asn1.Class.UNIVERSAL;
const T = asn1.Type;

/** RFC 5280 CRLReason codes (the names openssl prints, camelCase as in `openssl ca -crl_reason`). */
export const REVOCATION_REASONS = [
  "unspecified",
  "keyCompromise",
  "CACompromise",
  "affiliationChanged",
  "superseded",
  "cessationOfOperation",
  "certificateHold",
] as const;
export type RevocationReason = (typeof REVOCATION_REASONS)[number];

export interface RevokedEntry {
  serial: string; // hex
  revokedAt: Date;
  reason: RevocationReason;
}

function time(d: Date): forge.asn1.Asn1 {
  // UTCTime until 2049, GeneralizedTime after (RFC 5280 §4.1.2.5).
  return d.getUTCFullYear() < 2050
    ? asn1.create(U, T.UTCTIME, false, asn1.dateToUtcTime(d))
    : asn1.create(U, T.GENERALIZEDTIME, false, asn1.dateToGeneralizedTime(d));
}

function extension(oid: string, value: forge.asn1.Asn1): forge.asn1.Asn1 {
  return asn1.create(U, T.SEQUENCE, true, [
    asn1.create(U, T.OID, false, asn1.oidToDer(oid).getBytes()),
    asn1.create(U, T.OCTETSTRING, false, asn1.toDer(value).getBytes()),
  ]);
}

function sha256WithRsa(): forge.asn1.Asn1 {
  return asn1.create(U, T.SEQUENCE, true, [
    asn1.create(U, T.OID, false, asn1.oidToDer(forge.pki.oids.sha256WithRSAEncryption as string).getBytes()),
    asn1.create(U, T.NULL, false, ""),
  ]);
}

export interface CrlInput {
  issuer: forge.pki.Certificate;
  issuerKeyPem: string;
  revoked: RevokedEntry[];
  crlNumber: number;
  thisUpdate: Date;
  nextUpdate: Date;
}

/** The CRL as PEM ("X509 CRL"). */
export function buildCrl(input: CrlInput): string {
  const entries = input.revoked.map((r) =>
    asn1.create(U, T.SEQUENCE, true, [
      asn1.create(U, T.INTEGER, false, forge.util.hexToBytes(r.serial)),
      time(r.revokedAt),
      asn1.create(U, T.SEQUENCE, true, [
        extension("2.5.29.21", asn1.create(U, T.ENUMERATED, false, String.fromCharCode(REVOCATION_REASONS.indexOf(r.reason)))),
      ]),
    ]),
  );
  const crlExtensions = asn1.create(asn1.Class.CONTEXT_SPECIFIC, 0, true, [
    asn1.create(U, T.SEQUENCE, true, [
      extension(
        "2.5.29.35",
        asn1.create(U, T.SEQUENCE, true, [asn1.create(asn1.Class.CONTEXT_SPECIFIC, 0, false, subjectKeyId(input.issuer))]),
      ),
      extension("2.5.29.20", asn1.create(U, T.INTEGER, false, asn1.integerToDer(input.crlNumber).getBytes())),
    ]),
  ]);
  const tbs = asn1.create(U, T.SEQUENCE, true, [
    asn1.create(U, T.INTEGER, false, asn1.integerToDer(1).getBytes()), // v2
    sha256WithRsa(),
    forge.pki.distinguishedNameToAsn1(input.issuer.subject),
    time(input.thisUpdate),
    time(input.nextUpdate),
    // An empty list is left out altogether (RFC 5280 §5.1.2.6).
    ...(entries.length ? [asn1.create(U, T.SEQUENCE, true, entries)] : []),
    crlExtensions,
  ]);
  const tbsDer = asn1.toDer(tbs).getBytes();
  const signature = signSha256(tbsDer, input.issuerKeyPem);
  const crl = asn1.create(U, T.SEQUENCE, true, [tbs, sha256WithRsa(), asn1.create(U, T.BITSTRING, false, `\x00${signature}`)]);
  return forge.pem.encode({ type: "X509 CRL", body: asn1.toDer(crl).getBytes() }, { maxline: 64 });
}
