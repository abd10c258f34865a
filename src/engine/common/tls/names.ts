// Distinguished names as people type them ("CN=web,O=lab" or "/CN=web/O=lab") and as OpenSSL prints them.
import type forge from "node-forge";

const SHORT: Record<string, string> = {
  CN: "CN",
  O: "O",
  OU: "OU",
  C: "C",
  ST: "ST",
  L: "L",
  EMAILADDRESS: "E",
  E: "E",
};

export type Dn = forge.pki.CertificateField[];

/** Parse "CN=web,O=lab" or "/CN=web/O=lab"; an unknown attribute is an error naming it. */
export function parseDn(text: string): Dn {
  const t = text.trim();
  const parts = t.startsWith("/") ? t.slice(1).split("/") : t.split(/\s*,\s*/);
  const out: Dn = [];
  for (const part of parts.filter(Boolean)) {
    const eq = part.indexOf("=");
    if (eq <= 0) throw new Error(`subject '${text}': '${part}' is not of the form ATTRIBUTE=value`);
    const key = part.slice(0, eq).trim();
    const shortName = SHORT[key.toUpperCase()];
    if (!shortName) throw new Error(`subject '${text}': unknown attribute '${key}' (use CN, O, OU, C, ST, L, emailAddress)`);
    const value = part.slice(eq + 1).trim();
    if (!value) throw new Error(`subject '${text}': ${key} is empty`);
    if (shortName === "C" && !/^[A-Za-z]{2}$/.test(value)) throw new Error(`subject '${text}': C must be a two-letter country code`);
    out.push({ shortName, value });
  }
  if (!out.some((a) => a.shortName === "CN")) throw new Error(`subject '${text}' has no CN`);
  return out;
}

const OPENSSL_LABEL: Record<string, string> = { E: "emailAddress" };

/** The way `openssl x509 -text` prints a name: "CN = web, O = lab" (in certificate order). */
export function formatDn(attrs: forge.pki.CertificateField[]): string {
  return attrs.map((a) => `${OPENSSL_LABEL[a.shortName ?? ""] ?? a.shortName ?? a.name ?? a.type} = ${a.value}`).join(", ");
}

/** Two names are the same issuer/subject when every attribute matches in order. */
export function sameDn(a: forge.pki.CertificateField[], b: forge.pki.CertificateField[]): boolean {
  return a.length === b.length && a.every((x, i) => x.type === b[i]?.type && x.value === b[i]?.value);
}

export function commonName(attrs: forge.pki.CertificateField[]): string {
  return String(attrs.find((a) => a.shortName === "CN")?.value ?? formatDn(attrs));
}
