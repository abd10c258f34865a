// The client certificate of a TLS connection as Apache's mod_ssl hands it to a WSGI app with
// `SSLOptions +StdEnvVars` (what Keystone's tokenless authorization and its mappings read):
// SSL_CLIENT_S_DN / SSL_CLIENT_I_DN in RFC 2253 form, one SSL_CLIENT_S_DN_<attr> per attribute, serial,
// validity, and SSL_CLIENT_VERIFY. Only a certificate the handshake verified (chain to the trusted CA,
// not revoked, not expired) is exposed: anything else gives no attributes at all.
import type { X509Certificate } from "node:crypto";
import type { Socket } from "node:net";
import type { TLSSocket } from "node:tls";

/** mod_ssl's names for the DN attributes (SSL_CLIENT_S_DN_<x>). */
const MOD_SSL_ATTR: Record<string, string> = {
  CN: "CN",
  O: "O",
  OU: "OU",
  C: "C",
  ST: "ST",
  L: "L",
  emailAddress: "Email",
  E: "Email",
  serialNumber: "serialNumber",
  DC: "DC",
  UID: "UID",
};

/** "O=lab\nCN=web" (node's X509Certificate form, certificate order) → [["O","lab"],["CN","web"]]. */
export function dnPairs(nodeDn: string): Array<[string, string]> {
  return nodeDn
    .split("\n")
    .filter(Boolean)
    .map((line) => {
      const eq = line.indexOf("=");
      return [line.slice(0, eq), line.slice(eq + 1)] as [string, string];
    });
}

/** RFC 2253: the last RDN first, comma-separated, special characters escaped (mod_ssl's default DN format). */
export function rfc2253(pairs: Array<[string, string]>): string {
  const esc = (v: string) =>
    v
      .replace(/([,+"\\<>;])/g, "\\$1")
      .replace(/^([ #])/, "\\$1")
      .replace(/ $/, "\\ ");
  return [...pairs]
    .reverse()
    .map(([k, v]) => `${k}=${esc(v)}`)
    .join(",");
}

/** The SSL_CLIENT_* attributes of a verified certificate. */
export function certificateEnviron(cert: X509Certificate): Record<string, string> {
  const env: Record<string, string> = {
    SSL_CLIENT_VERIFY: "SUCCESS",
    SSL_CLIENT_M_SERIAL: cert.serialNumber.toUpperCase(),
    SSL_CLIENT_V_START: cert.validFrom,
    SSL_CLIENT_V_END: cert.validTo,
  };
  for (const [prefix, dn] of [
    ["SSL_CLIENT_S_DN", cert.subject],
    ["SSL_CLIENT_I_DN", cert.issuer],
  ] as const) {
    const pairs = dnPairs(dn);
    env[prefix] = rfc2253(pairs);
    // mod_ssl: the first value of an attribute is SSL_CLIENT_S_DN_CN, further ones _CN_1, _CN_2…
    const seen = new Map<string, number>();
    for (const [k, v] of pairs) {
      const name = MOD_SSL_ATTR[k] ?? k;
      const n = seen.get(name) ?? 0;
      seen.set(name, n + 1);
      env[`${prefix}_${name}${n ? `_${n}` : ""}`] = v;
    }
  }
  return env;
}

/** The attributes for this connection's client certificate; {} for plain HTTP, none sent, or one that failed verification. */
export function sslClientEnviron(socket: Socket | undefined): Record<string, string> {
  const tls = socket as TLSSocket | undefined;
  if (!tls?.encrypted || !tls.authorized) return {};
  const cert = tls.getPeerX509Certificate?.();
  return cert ? certificateEnviron(cert) : {};
}
