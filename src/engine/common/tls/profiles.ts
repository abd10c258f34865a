// The X.509v3 extensions each kind of certificate gets, as the seed's TLS posts list them:
// root and intermediate CAs (basicConstraints critical, keyCertSign/cRLSign/digitalSignature, SKI/AKI,
// pathlen:0 on the intermediate), server certificates (SANs, serverAuth), client certificates
// (digitalSignature + keyEncipherment, clientAuth).
import { isIP } from "node:net";

export const CERT_KINDS = ["root", "intermediate", "ca", "server", "client"] as const;
export type CertKind = (typeof CERT_KINDS)[number];
/** Kinds `os ca issue` makes; root and intermediate come from `os ca init`. */
export const ISSUABLE_KINDS = ["server", "client", "ca"] as const;
export type IssuableKind = (typeof ISSUABLE_KINDS)[number];

export interface AltName {
  type: 2 | 7;
  value?: string;
  ip?: string;
}

/** "localhost" → DNS, "127.0.0.1"/"::1" → IP (the forms openssl writes as DNS:… / IP Address:…). */
export function altNamesFor(hosts: string[]): AltName[] {
  const seen = new Set<string>();
  const out: AltName[] = [];
  for (const h of hosts.map((x) => x.trim()).filter(Boolean)) {
    if (seen.has(h.toLowerCase())) continue;
    seen.add(h.toLowerCase());
    if (isIP(h)) out.push({ type: 7, ip: h });
    else if (/^(\*\.)?[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*$/.test(h))
      out.push({ type: 2, value: h });
    else throw new Error(`'${h}' is neither a DNS name nor an IP address`);
  }
  return out;
}

/** Extensions for forge's cert.setExtensions(); `issuerKeyId` is the issuer's SKI (binary string). */
export function extensionsFor(kind: CertKind, opts: { altNames?: AltName[]; issuerKeyId?: string }): object[] {
  const ski = { name: "subjectKeyIdentifier" };
  const aki = opts.issuerKeyId ? [{ name: "authorityKeyIdentifier", keyIdentifier: opts.issuerKeyId }] : [];
  switch (kind) {
    case "root":
      return [
        { name: "basicConstraints", cA: true, critical: true },
        { name: "keyUsage", critical: true, digitalSignature: true, keyCertSign: true, cRLSign: true },
        ski,
      ];
    case "intermediate":
      return [
        { name: "basicConstraints", cA: true, pathLenConstraint: 0, critical: true },
        { name: "keyUsage", critical: true, digitalSignature: true, keyCertSign: true, cRLSign: true },
        ski,
        ...aki,
      ];
    case "ca":
      // A further CA below the intermediate: pathlen:0 above forbids it; exists so the lab can show why.
      return [
        { name: "basicConstraints", cA: true, critical: true },
        { name: "keyUsage", critical: true, digitalSignature: true, keyCertSign: true, cRLSign: true },
        ski,
        ...aki,
      ];
    case "server":
      if (!opts.altNames?.length) throw new Error("a server certificate needs at least one DNS name or IP address (--san)");
      return [
        { name: "basicConstraints", cA: false, critical: true },
        { name: "keyUsage", critical: true, digitalSignature: true, keyEncipherment: true },
        { name: "extKeyUsage", serverAuth: true },
        { name: "subjectAltName", altNames: opts.altNames },
        ski,
        ...aki,
      ];
    case "client":
      return [
        { name: "basicConstraints", cA: false, critical: true },
        { name: "keyUsage", critical: true, digitalSignature: true, keyEncipherment: true },
        { name: "extKeyUsage", clientAuth: true },
        ...(opts.altNames?.length ? [{ name: "subjectAltName", altNames: opts.altNames }] : []),
        ski,
        ...aki,
      ];
  }
}
