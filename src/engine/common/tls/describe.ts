// A certificate as `openssl x509 -noout -text` prints it (OpenSSL 3 layout), from forge's parse.
import forge from "node-forge";
import { formatDn } from "./names.js";

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/** "Nov  9 17:07:54 2026 GMT", openssl's ASN1_TIME_print. */
export function opensslDate(d: Date): string {
  const p = (n: number) => String(n).padStart(2, "0");
  return `${MONTHS[d.getUTCMonth()]} ${String(d.getUTCDate()).padStart(2, " ")} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} ${d.getUTCFullYear()} GMT`;
}

function hexBytes(bin: string, upper = false): string[] {
  const out = [];
  for (let i = 0; i < bin.length; i++) out.push(bin.charCodeAt(i).toString(16).padStart(2, "0"));
  return upper ? out.map((x) => x.toUpperCase()) : out;
}

/** Colon-separated hex wrapped `perLine` bytes a line, each line but the last ending in ':'. */
function wrapHex(bytes: string[], perLine: number, indent: string): string[] {
  const lines = [];
  for (let i = 0; i < bytes.length; i += perLine) {
    const last = i + perLine >= bytes.length;
    lines.push(`${indent}${bytes.slice(i, i + perLine).join(":")}${last ? "" : ":"}`);
  }
  return lines;
}

const KEY_USAGE: Array<[string, string]> = [
  ["digitalSignature", "Digital Signature"],
  ["nonRepudiation", "Non Repudiation"],
  ["keyEncipherment", "Key Encipherment"],
  ["dataEncipherment", "Data Encipherment"],
  ["keyAgreement", "Key Agreement"],
  ["keyCertSign", "Certificate Sign"],
  ["cRLSign", "CRL Sign"],
  ["encipherOnly", "Encipher Only"],
  ["decipherOnly", "Decipher Only"],
];
const EXT_KEY_USAGE: Array<[string, string]> = [
  ["serverAuth", "TLS Web Server Authentication"],
  ["clientAuth", "TLS Web Client Authentication"],
  ["codeSigning", "Code Signing"],
  ["emailProtection", "E-mail Protection"],
  ["timeStamping", "Time Stamping"],
  ["OCSPSigning", "OCSP Signing"],
];
const EXT_TITLE: Record<string, string> = {
  basicConstraints: "X509v3 Basic Constraints",
  keyUsage: "X509v3 Key Usage",
  extKeyUsage: "X509v3 Extended Key Usage",
  subjectAltName: "X509v3 Subject Alternative Name",
  subjectKeyIdentifier: "X509v3 Subject Key Identifier",
  authorityKeyIdentifier: "X509v3 Authority Key Identifier",
  cRLDistributionPoints: "X509v3 CRL Distribution Points",
};

// biome-ignore lint/suspicious/noExplicitAny: forge's parsed extensions are loosely typed
type Ext = Record<string, any>;

export function altNameText(a: { type: number; value?: string; ip?: string }): string {
  switch (a.type) {
    case 1:
      return `email:${a.value}`;
    case 2:
      return `DNS:${a.value}`;
    case 6:
      return `URI:${a.value}`;
    case 7:
      return `IP Address:${a.ip ?? a.value}`;
    default:
      return `othername:<unsupported>`;
  }
}

/** The value line of one extension, as openssl prints it. */
export function extensionValue(e: Ext): string {
  switch (e.name) {
    case "basicConstraints":
      return `CA:${e.cA ? "TRUE" : "FALSE"}${e.cA && e.pathLenConstraint !== undefined ? `, pathlen:${e.pathLenConstraint}` : ""}`;
    case "keyUsage":
      return KEY_USAGE.filter(([k]) => e[k])
        .map(([, v]) => v)
        .join(", ");
    case "extKeyUsage":
      return EXT_KEY_USAGE.filter(([k]) => e[k])
        .map(([, v]) => v)
        .join(", ");
    case "subjectAltName":
      return (e.altNames as Array<{ type: number; value?: string; ip?: string }>).map(altNameText).join(", ");
    case "subjectKeyIdentifier":
      return hexBytes(forge.util.hexToBytes(e.subjectKeyIdentifier), true).join(":");
    case "authorityKeyIdentifier": {
      const seq = forge.asn1.fromDer(e.value as string);
      const keyId = (seq.value as forge.asn1.Asn1[]).find((v) => v.tagClass === forge.asn1.Class.CONTEXT_SPECIFIC && v.type === 0);
      return keyId ? hexBytes(keyId.value as string, true).join(":") : "";
    }
    default:
      return hexBytes(e.value as string).join(":");
  }
}

/** Serial as openssl prints it: small ones as "N (0xN)", long ones as colon hex on the next line. */
function serialLines(hex: string): string[] {
  const h = hex.replace(/^0+(?=.)/, "");
  if (h.length <= 16 && Number.parseInt(h[0] ?? "0", 16) < 8) return [`        Serial Number: ${BigInt(`0x${h}`)} (0x${h})`];
  return ["        Serial Number:", `            ${hexBytes(forge.util.hexToBytes(hex.length % 2 ? `0${hex}` : hex)).join(":")}`];
}

export function describeCertificate(pem: string): string {
  const cert = forge.pki.certificateFromPem(pem);
  const key = cert.publicKey as forge.pki.rsa.PublicKey;
  let mod = key.n.toString(16);
  if (mod.length % 2) mod = `0${mod}`;
  if (Number.parseInt(mod[0] as string, 16) >= 8) mod = `00${mod}`;
  const sigName = forge.pki.oids[cert.signatureOid ?? ""] ?? cert.signatureOid;
  const lines = [
    "Certificate:",
    "    Data:",
    `        Version: ${cert.version + 1} (0x${cert.version.toString(16)})`,
    ...serialLines(cert.serialNumber),
    `        Signature Algorithm: ${sigName}`,
    `        Issuer: ${formatDn(cert.issuer.attributes)}`,
    "        Validity",
    `            Not Before: ${opensslDate(cert.validity.notBefore)}`,
    `            Not After : ${opensslDate(cert.validity.notAfter)}`,
    `        Subject: ${formatDn(cert.subject.attributes)}`,
    "        Subject Public Key Info:",
    "            Public Key Algorithm: rsaEncryption",
    `                Public-Key: (${key.n.bitLength()} bit)`,
    "                Modulus:",
    ...wrapHex(hexBytes(forge.util.hexToBytes(mod)), 15, "                    "),
    `                Exponent: ${key.e.toString(10)} (0x${key.e.toString(16)})`,
  ];
  if (cert.extensions.length) {
    lines.push("        X509v3 extensions:");
    for (const e of cert.extensions as Ext[]) {
      const title = EXT_TITLE[e.name] ?? e.id;
      lines.push(`            ${title}: ${e.critical ? "critical" : ""}`, `                ${extensionValue(e)}`);
    }
  }
  lines.push(`    Signature Algorithm: ${sigName}`, "    Signature Value:", ...wrapHex(hexBytes(cert.signature as string), 18, "        "));
  return lines.join("\n");
}
