// Build a certificate's chain up to a trusted root and check every link the way OpenSSL does
// (signature, validity, CA flag, keyCertSign, pathlen, revocation via CRLs, purpose, host), but say
// in plain words where and why it breaks. Each problem carries OpenSSL's own name for it as `code`.
import { X509Certificate, verify as cryptoVerify } from "node:crypto";
import { isIP } from "node:net";
import forge from "node-forge";
import { type ParsedCrl, parseCrls } from "./crl.js";
import { altNameText, opensslDate } from "./describe.js";
import { commonName, formatDn, sameDn } from "./names.js";

export interface VerifyInput {
  /** The certificate to check; a chain file (leaf first, then CAs) works too: the rest become untrusted. */
  pem: string;
  /** Trust anchors (ca.crt). */
  trustedPem: string;
  /** Extra CA certificates that may complete the chain (intermediate.crt), not trusted by themselves. */
  untrustedPem?: string;
  /** CRLs (crl.pem); when given, every certificate below the root must have its issuer's CRL. */
  crlPem?: string;
  host?: string;
  purpose?: "server" | "client";
  at?: Date;
}

export interface ChainLink {
  depth: number;
  subject: string;
  issuer: string;
  serial: string;
  notAfter: string;
  trusted: boolean;
}

export interface Problem {
  depth: number;
  /** OpenSSL's verify error string for the same condition. */
  code: string;
  message: string;
}

export interface VerifyResult {
  ok: boolean;
  chain: ChainLink[];
  problems: Problem[];
}

interface Node {
  forge: forge.pki.Certificate;
  x509: X509Certificate;
  pem: string;
  trusted: boolean;
}

function splitPem(text: string | undefined): string[] {
  return (text ?? "").match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
}

function node(pem: string, trusted: boolean): Node {
  return { forge: forge.pki.certificateFromPem(pem), x509: new X509Certificate(pem), pem, trusted };
}

// biome-ignore lint/suspicious/noExplicitAny: forge extensions are loosely typed
function ext(n: Node, name: string): any {
  return n.forge.getExtension(name) ?? undefined;
}

function keyId(n: Node, which: "ski" | "aki"): string | undefined {
  if (which === "ski") return ext(n, "subjectKeyIdentifier")?.subjectKeyIdentifier;
  const aki = ext(n, "authorityKeyIdentifier");
  if (!aki) return undefined;
  const seq = forge.asn1.fromDer(aki.value as string);
  const id = (seq.value as forge.asn1.Asn1[]).find((v) => v.tagClass === forge.asn1.Class.CONTEXT_SPECIFIC && v.type === 0);
  return id ? forge.util.bytesToHex(id.value as string) : undefined;
}

const label = (n: Node) => `'${commonName(n.forge.subject.attributes)}'`;
const isSelfIssued = (n: Node) => sameDn(n.forge.subject.attributes, n.forge.issuer.attributes);
const signedBy = (child: Node, issuer: Node) => child.x509.verify(issuer.x509.publicKey);

export function verifyChain(input: VerifyInput): VerifyResult {
  const at = input.at ?? new Date();
  const given = splitPem(input.pem);
  if (!given.length) throw new Error("no PEM certificate found in the input");
  const leaf = node(given[0] as string, false);
  const trusted = splitPem(input.trustedPem).map((p) => node(p, true));
  if (!trusted.length) throw new Error("the CA file holds no certificate");
  const untrusted = [...given.slice(1), ...splitPem(input.untrustedPem)].map((p) => node(p, false));
  const problems: Problem[] = [];

  // 1. Build the path: leaf → … → a trusted certificate.
  const path: Node[] = [leaf];
  const trustedFp = new Set(trusted.map((t) => t.x509.fingerprint256));
  for (;;) {
    const cur = path[path.length - 1] as Node;
    const depth = path.length - 1;
    if (trustedFp.has(cur.x509.fingerprint256)) {
      cur.trusted = true;
      break;
    }
    if (isSelfIssued(cur) && signedBy(cur, cur)) {
      problems.push({
        depth,
        code: depth === 0 ? "self-signed certificate" : "self-signed certificate in certificate chain",
        message: `the chain ends at the self-signed ${label(cur)} (${formatDn(cur.forge.subject.attributes)}), which is not the trusted root in the CA file`,
      });
      break;
    }
    const aki = keyId(cur, "aki");
    const named = [...trusted, ...untrusted].filter(
      (c) => sameDn(c.forge.subject.attributes, cur.forge.issuer.attributes) && !path.includes(c),
    );
    const issuer = named.find((c) => (aki ? keyId(c, "ski") === aki : true) && signedBy(cur, c)) ?? named.find((c) => signedBy(cur, c));
    if (!issuer) {
      const impostor = named[0];
      if (impostor) {
        problems.push({
          depth,
          code: "certificate signature failure",
          message: `chain broken at depth ${depth}: ${label(cur)} names ${label(impostor)} as its issuer, but its signature does not verify with that CA's key${
            aki && keyId(impostor, "ski") !== aki
              ? ` (it was signed by key ${aki.toUpperCase()}, the CA here has ${keyId(impostor, "ski")?.toUpperCase()}): it comes from a different CA with the same name`
              : ": the certificate was altered or signed by another key"
          }`,
        });
      } else {
        problems.push({
          depth,
          code: depth === 0 && !untrusted.length ? "unable to get local issuer certificate" : "unable to get issuer certificate",
          message: `chain broken at depth ${depth}: no certificate for ${label(cur)}'s issuer (${formatDn(cur.forge.issuer.attributes)}) in the CA file or among the untrusted certificates — add the intermediate (or use the -chain.crt file), or check that it was issued by this CA`,
        });
      }
      break;
    }
    path.push(issuer);
    if (path.length > 10) {
      problems.push({ depth, code: "certificate chain too long", message: "the chain is longer than 10 certificates" });
      break;
    }
  }

  // 2. Every certificate: dates.
  path.forEach((n, depth) => {
    if (at < n.forge.validity.notBefore)
      problems.push({
        depth,
        code: "certificate is not yet valid",
        message: `${label(n)} is not valid before ${opensslDate(n.forge.validity.notBefore)}`,
      });
    if (at > n.forge.validity.notAfter) {
      const days = Math.floor((at.getTime() - n.forge.validity.notAfter.getTime()) / 86_400_000);
      problems.push({
        depth,
        code: "certificate has expired",
        message: `${label(n)} expired on ${opensslDate(n.forge.validity.notAfter)} (${days} day${days === 1 ? "" : "s"} ago)${depth === 0 ? "; issue a new one (os ca issue … --replace)" : ""}`,
      });
    }
  });

  // 3. Every issuer: a CA allowed to sign certificates, within its pathlen.
  for (let depth = 1; depth < path.length; depth++) {
    const ca = path[depth] as Node;
    const child = path[depth - 1] as Node;
    const bc = ext(ca, "basicConstraints");
    if (!bc?.cA) {
      problems.push({
        depth,
        code: "invalid CA certificate",
        message: `${label(ca)} signed ${label(child)} but is not a CA (basicConstraints CA:FALSE)`,
      });
      continue;
    }
    const ku = ext(ca, "keyUsage");
    if (ku && !ku.keyCertSign)
      problems.push({
        depth,
        code: "key usage does not include certificate signing",
        message: `${label(ca)} signed ${label(child)} but its keyUsage lacks Certificate Sign`,
      });
    // pathlen counts the CA certificates below this one, not the leaf (RFC 5280 §4.2.1.9).
    const casBelow = path.slice(1, depth).filter((n) => !isSelfIssued(n));
    if (bc.pathLenConstraint !== undefined && casBelow.length > bc.pathLenConstraint) {
      const rogue = casBelow[casBelow.length - 1] as Node;
      const signed = path[path.indexOf(rogue) - 1] as Node;
      problems.push({
        depth: path.indexOf(rogue),
        code: "path length constraint exceeded",
        message: `${label(ca)} has pathlen:${bc.pathLenConstraint}: it may have at most ${bc.pathLenConstraint} CA certificate(s) below it, but ${label(rogue)} below it acts as a CA and signed ${label(signed)}`,
      });
    }
  }

  // 4. Revocation: each certificate below the anchor against its issuer's CRL.
  if (input.crlPem !== undefined) {
    const crls = parseCrls(input.crlPem);
    for (let depth = 0; depth < path.length - 1; depth++) {
      const n = path[depth] as Node;
      const issuer = path[depth + 1] as Node;
      const crl = crls.find((c) => sameDn(c.issuer, issuer.forge.subject.attributes) && crlSignedBy(c, issuer));
      if (!crl) {
        problems.push({
          depth,
          code: "unable to get certificate CRL",
          message: `no CRL signed by ${label(issuer)} to check ${label(n)} against`,
        });
        continue;
      }
      if (crl.nextUpdate && at > crl.nextUpdate)
        problems.push({
          depth,
          code: "CRL has expired",
          message: `the CRL of ${label(issuer)} expired on ${opensslDate(crl.nextUpdate)}; run \`os ca revoke\` or restart the cloud to refresh it`,
        });
      const hit = crl.revoked.find((r) => r.serial.replace(/^0+/, "") === n.forge.serialNumber.replace(/^0+/, ""));
      if (hit)
        problems.push({
          depth,
          code: "certificate revoked",
          message: `${label(n)} (serial ${n.forge.serialNumber}) was revoked by ${label(issuer)} on ${opensslDate(hit.revokedAt)} (reason: ${hit.reason})`,
        });
    }
  }

  // 5. The leaf: purpose and host.
  const eku = ext(leaf, "extKeyUsage");
  const purpose = input.purpose ?? (input.host ? "server" : undefined);
  if (purpose && eku) {
    const want = purpose === "server" ? "serverAuth" : "clientAuth";
    if (!eku[want])
      problems.push({
        depth: 0,
        code: "unsupported certificate purpose",
        message: `${label(leaf)} may not be used as a TLS ${purpose} certificate: its extendedKeyUsage lacks ${purpose === "server" ? "TLS Web Server Authentication" : "TLS Web Client Authentication"}`,
      });
  }
  if (input.host) {
    const match = isIP(input.host) ? leaf.x509.checkIP(input.host) : leaf.x509.checkHost(input.host);
    if (!match) {
      const sans = (ext(leaf, "subjectAltName")?.altNames ?? []).map(altNameText).join(", ");
      problems.push({
        depth: 0,
        code: isIP(input.host) ? "IP address mismatch" : "hostname mismatch",
        message: `${label(leaf)} does not cover ${isIP(input.host) ? "IP address" : "host"} '${input.host}': its subjectAltName lists ${sans || "nothing"}`,
      });
    }
  }

  problems.sort((a, b) => b.depth - a.depth);
  return {
    ok: problems.length === 0,
    chain: path.map((n, depth) => ({
      depth,
      subject: formatDn(n.forge.subject.attributes),
      issuer: formatDn(n.forge.issuer.attributes),
      serial: n.forge.serialNumber,
      notAfter: n.forge.validity.notAfter.toISOString(),
      trusted: n.trusted,
    })),
    problems,
  };
}

function crlSignedBy(crl: ParsedCrl, issuer: Node): boolean {
  try {
    return cryptoVerify("sha256", crl.tbsDer, issuer.x509.publicKey, crl.signature);
  } catch {
    return false;
  }
}
