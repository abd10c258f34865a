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

export interface ParsedCrl {
  issuer: forge.pki.CertificateField[];
  thisUpdate: Date;
  nextUpdate?: Date;
  revoked: RevokedEntry[];
  /** DER of the signed part and the signature, to check against the issuer's key. */
  tbsDer: Buffer;
  signature: Buffer;
}

function readTime(node: forge.asn1.Asn1): Date {
  return node.type === T.UTCTIME ? asn1.utcTimeToDate(node.value as string) : asn1.generalizedTimeToDate(node.value as string);
}

/** Every CRL in a PEM file (crl.pem holds one per CA). */
export function parseCrls(pem: string): ParsedCrl[] {
  return forge.pem
    .decode(pem)
    .filter((m) => m.type === "X509 CRL")
    .map((m) => {
      const crl = asn1.fromDer(m.body, { decodeBitStrings: false } as unknown as boolean);
      const [tbs, , sig] = crl.value as forge.asn1.Asn1[];
      const fields = (tbs as forge.asn1.Asn1).value as forge.asn1.Asn1[];
      // v2 CRLs start with a version INTEGER; v1 ones do not.
      let i = (fields[0] as forge.asn1.Asn1).type === T.INTEGER ? 1 : 0;
      i++; // signature algorithm
      const issuer = (
        forge.pki as unknown as { RDNAttributesAsArray(n: forge.asn1.Asn1): forge.pki.CertificateField[] }
      ).RDNAttributesAsArray(fields[i++] as forge.asn1.Asn1);
      const thisUpdate = readTime(fields[i++] as forge.asn1.Asn1);
      let nextUpdate: Date | undefined;
      const maybeNext = fields[i];
      if (maybeNext && (maybeNext.type === T.UTCTIME || maybeNext.type === T.GENERALIZEDTIME) && maybeNext.tagClass === U) {
        nextUpdate = readTime(maybeNext);
        i++;
      }
      const revoked: RevokedEntry[] = [];
      const list = fields[i];
      if (list && list.tagClass === U && list.type === T.SEQUENCE) {
        for (const entry of list.value as forge.asn1.Asn1[]) {
          const [serial, date, exts] = entry.value as forge.asn1.Asn1[];
          let reason: RevocationReason = "unspecified";
          for (const ext of (exts?.value as forge.asn1.Asn1[] | undefined) ?? []) {
            const parts = ext.value as forge.asn1.Asn1[];
            if (asn1.derToOid((parts[0] as forge.asn1.Asn1).value as string) !== "2.5.29.21") continue;
            const code = (asn1.fromDer((parts[parts.length - 1] as forge.asn1.Asn1).value as string).value as string).charCodeAt(0);
            reason = REVOCATION_REASONS[code] ?? "unspecified";
          }
          revoked.push({
            serial: forge.util.bytesToHex((serial as forge.asn1.Asn1).value as string),
            revokedAt: readTime(date as forge.asn1.Asn1),
            reason,
          });
        }
      }
      return {
        issuer,
        thisUpdate,
        nextUpdate,
        revoked,
        tbsDer: Buffer.from(asn1.toDer(tbs as forge.asn1.Asn1).getBytes(), "binary"),
        signature: Buffer.from(((sig as forge.asn1.Asn1).value as string).slice(1), "binary"),
      };
    });
}
