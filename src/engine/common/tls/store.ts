// The lab CA's directory (<state dir>/ca by default): who issued what, the files, the revocation lists.
//   ca.crt                 root CA (self-signed)          private/ca.key
//   intermediate.crt       intermediate CA (pathlen:0)    private/intermediate.key
//   ca-chain.crt           intermediate + root: what a server trusts for client certificates
//   certs/<name>.crt       leaf (or extra CA)             private/<name>.key (0600)
//   certs/<name>-chain.crt leaf + the CAs between it and the root (the seed's server-chain.crt)
//   crl/<ca>.crl.pem       one CRL per CA;  crl.pem = all of them (what a server loads)
//   index.json             every certificate issued, its serial and status
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import forge from "node-forge";
import { buildCertificate } from "./build.js";
import { type RevocationReason, type RevokedEntry, buildCrl } from "./crl.js";
import { generateRsaKey } from "./keys.js";
import { formatDn, parseDn } from "./names.js";
import { type CertKind, type IssuableKind, altNamesFor } from "./profiles.js";

export const ROOT = "root";
export const INTERMEDIATE = "intermediate";
const DAY = 86_400_000;

export interface CertRecord {
  name: string;
  kind: CertKind;
  serial: string;
  subject: string;
  /** Name of the issuing CA record ("root" for the root itself). */
  issuer: string;
  sans: string[];
  notBefore: string;
  notAfter: string;
  status: "valid" | "revoked" | "superseded";
  revokedAt?: string;
  reason?: RevocationReason;
  /** Milliseconds spent on key generation + signing + writing. */
  issueMs: number;
}

interface Index {
  crlNumber: number;
  certs: CertRecord[];
}

export interface InitOptions {
  organization?: string;
  rootDays?: number;
  intermediateDays?: number;
  bits?: number;
}

export interface IssueOptions {
  name: string;
  kind: IssuableKind;
  /** DNS names / IPs for the subjectAltName. */
  sans?: string[];
  /** Full subject ("CN=alice,O=demo"); default CN=<name>, O=<the CA's organisation>. */
  subject?: string;
  days?: number;
  notBefore?: Date;
  /** Which CA signs it (a record name); default the intermediate. */
  issuer?: string;
  bits?: number;
  /** Replace a current certificate of that name (the old one is marked superseded). */
  replace?: boolean;
}

export class CaError extends Error {
  override name = "CaError";
}

const NAME_RE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

export class CaStore {
  constructor(readonly dir: string) {}

  get rootCert(): string {
    return join(this.dir, "ca.crt");
  }
  get caChain(): string {
    return join(this.dir, "ca-chain.crt");
  }
  get crlFile(): string {
    return join(this.dir, "crl.pem");
  }
  private get indexFile(): string {
    return join(this.dir, "index.json");
  }

  certFile(name: string): string {
    if (name === ROOT) return this.rootCert;
    if (name === INTERMEDIATE) return join(this.dir, "intermediate.crt");
    return join(this.dir, "certs", `${name}.crt`);
  }
  keyFile(name: string): string {
    return join(this.dir, "private", `${name === ROOT ? "ca" : name}.key`);
  }
  chainFile(name: string): string {
    return join(this.dir, "certs", `${name}-chain.crt`);
  }
  crlFileOf(caName: string): string {
    return join(this.dir, "crl", `${caName}.crl.pem`);
  }

  exists(): boolean {
    return existsSync(this.rootCert) && existsSync(this.indexFile);
  }

  list(): CertRecord[] {
    return this.readIndex().certs;
  }

  /** The current (not superseded) certificate of that name. */
  find(name: string): CertRecord | undefined {
    return this.readIndex().certs.find((c) => c.name === name && c.status !== "superseded");
  }

  get(name: string): CertRecord {
    const rec = this.find(name);
    if (!rec) throw new CaError(`no certificate named '${name}' in ${this.dir} (see \`os ca list\`)`);
    return rec;
  }

  loadCert(name: string): forge.pki.Certificate {
    return forge.pki.certificateFromPem(readFileSync(this.certFile(name), "utf8"));
  }

  /** Root CA + intermediate CA (pathlen:0), each with its key; refuses to overwrite without `force`. */
  async init(opts: InitOptions & { force?: boolean } = {}): Promise<CertRecord[]> {
    if (this.exists() && !opts.force)
      throw new CaError(`a CA already exists in ${this.dir} (use --force to replace it and everything it issued)`);
    mkdirSync(join(this.dir, "certs"), { recursive: true });
    mkdirSync(join(this.dir, "crl"), { recursive: true });
    mkdirSync(join(this.dir, "private"), { recursive: true, mode: 0o700 });
    chmodSync(join(this.dir, "private"), 0o700);
    const org = opts.organization ?? "pocketstack";
    const now = new Date();
    const notBefore = new Date(now.getTime() - 5 * 60_000); // tolerate a little clock skew
    const index: Index = { crlNumber: 0, certs: [] };

    let t0 = performance.now();
    const rootKey = await generateRsaKey(opts.bits ?? 2048);
    const rootSubject = parseDn(`CN=${org} Root CA,O=${org}`);
    const root = buildCertificate({
      kind: "root",
      subject: rootSubject,
      publicPem: rootKey.publicPem,
      notBefore,
      notAfter: new Date(now.getTime() + (opts.rootDays ?? 3650) * DAY),
      signerKeyPem: rootKey.privatePem,
    });
    this.writeKey(ROOT, rootKey.privatePem);
    writeFileSync(this.rootCert, forge.pki.certificateToPem(root));
    index.certs.push(record(ROOT, "root", ROOT, root, [], performance.now() - t0));

    t0 = performance.now();
    const interKey = await generateRsaKey(opts.bits ?? 2048);
    const inter = buildCertificate({
      kind: "intermediate",
      subject: parseDn(`CN=${org} Intermediate CA,O=${org}`),
      publicPem: interKey.publicPem,
      notBefore,
      notAfter: new Date(now.getTime() + (opts.intermediateDays ?? 1825) * DAY),
      issuer: root,
      signerKeyPem: rootKey.privatePem,
    });
    this.writeKey(INTERMEDIATE, interKey.privatePem);
    writeFileSync(this.certFile(INTERMEDIATE), forge.pki.certificateToPem(inter));
    index.certs.push(record(INTERMEDIATE, "intermediate", ROOT, inter, [], performance.now() - t0));

    writeFileSync(this.caChain, forge.pki.certificateToPem(inter) + forge.pki.certificateToPem(root));
    this.writeIndex(index);
    this.writeCrls();
    return index.certs;
  }

  /** A server, client or (lab only) extra CA certificate, signed by `issuer` (default the intermediate). */
  async issue(opts: IssueOptions): Promise<CertRecord> {
    this.requireInit();
    if (!NAME_RE.test(opts.name)) throw new CaError(`name '${opts.name}' must be 1–64 letters, digits, '.', '_' or '-'`);
    if ([ROOT, INTERMEDIATE, "ca", "ca-chain", "crl"].includes(opts.name)) throw new CaError(`name '${opts.name}' is reserved`);
    const existing = this.find(opts.name);
    if (existing && !opts.replace)
      throw new CaError(`a certificate named '${opts.name}' already exists (serial ${existing.serial}); revoke it or pass --replace`);
    const issuerName = opts.issuer ?? INTERMEDIATE;
    const issuerRec = this.get(issuerName);
    if (!["root", "intermediate", "ca"].includes(issuerRec.kind))
      throw new CaError(`'${issuerName}' is a ${issuerRec.kind} certificate, not a CA; it cannot issue certificates`);
    if (issuerRec.status === "revoked") throw new CaError(`CA '${issuerName}' is revoked; it cannot issue certificates`);
    const altNames = altNamesFor(opts.sans ?? []);
    const days = opts.days ?? 365;
    if (!(days > 0)) throw new CaError(`--days must be a positive number of days, not ${days}`);

    const t0 = performance.now();
    const issuer = this.loadCert(issuerName);
    const org = issuer.subject.getField("O")?.value as string | undefined;
    const subject = parseDn(opts.subject ?? `CN=${opts.name}${org ? `,O=${org}` : ""}`);
    const key = await generateRsaKey(opts.bits ?? 2048);
    const notBefore = opts.notBefore ?? new Date(Date.now() - 5 * 60_000);
    const cert = buildCertificate({
      kind: opts.kind,
      subject,
      publicPem: key.publicPem,
      notBefore,
      notAfter: new Date(notBefore.getTime() + days * DAY),
      altNames,
      issuer,
      signerKeyPem: readFileSync(this.keyFile(issuerName), "utf8"),
    });
    this.writeKey(opts.name, key.privatePem);
    const pem = forge.pki.certificateToPem(cert);
    writeFileSync(this.certFile(opts.name), pem);
    writeFileSync(this.chainFile(opts.name), pem + this.caPathPem(issuerName));
    const rec = record(opts.name, opts.kind, issuerName, cert, opts.sans ?? [], performance.now() - t0);
    const index = this.readIndex();
    for (const c of index.certs) if (c.name === opts.name && c.status === "valid") c.status = "superseded";
    index.certs.push(rec);
    this.writeIndex(index);
    if (opts.kind === "ca") this.writeCrls(); // a new CA needs its own (empty) CRL, or CRL checks of its leaves fail
    return rec;
  }

  /** Mark a certificate revoked and rewrite the CRLs. */
  revoke(name: string, reason: RevocationReason = "unspecified", at = new Date()): CertRecord {
    if (name === ROOT) throw new CaError("the root CA cannot be revoked (it is the trust anchor); run `os ca init --force` to replace it");
    const index = this.readIndex();
    const rec = index.certs.find((c) => c.name === name && c.status !== "superseded");
    if (!rec) throw new CaError(`no certificate named '${name}' in ${this.dir} (see \`os ca list\`)`);
    if (rec.status === "revoked") throw new CaError(`'${name}' (serial ${rec.serial}) was already revoked on ${rec.revokedAt}`);
    rec.status = "revoked";
    rec.revokedAt = at.toISOString();
    rec.reason = reason;
    this.writeIndex(index);
    this.writeCrls();
    return rec;
  }

  /** Certificates a CA issued that are revoked (superseded ones are simply replaced, not revoked). */
  revokedBy(caName: string): RevokedEntry[] {
    return this.readIndex()
      .certs.filter((c) => c.issuer === caName && c.name !== caName && c.status === "revoked")
      .map((c) => ({ serial: c.serial, revokedAt: new Date(c.revokedAt as string), reason: c.reason ?? "unspecified" }));
  }

  /** One fresh CRL per CA (valid 30 days; rewritten on every revoke and by prepareTls), and crl.pem with all. */
  writeCrls(now = new Date()): string {
    const index = this.readIndex();
    index.crlNumber += 1;
    let all = "";
    for (const ca of index.certs.filter((c) => ["root", "intermediate", "ca"].includes(c.kind) && c.status !== "superseded")) {
      const pem = buildCrl({
        issuer: this.loadCert(ca.name),
        issuerKeyPem: readFileSync(this.keyFile(ca.name), "utf8"),
        revoked: this.revokedBy(ca.name),
        crlNumber: index.crlNumber,
        thisUpdate: new Date(now.getTime() - 60_000),
        nextUpdate: new Date(now.getTime() + 30 * DAY),
      });
      writeFileSync(this.crlFileOf(ca.name), pem);
      all += pem;
    }
    writeFileSync(this.crlFile, all);
    this.writeIndex(index);
    return this.crlFile;
  }

  /** PEMs of `caName` and every CA above it except the root (what a chain file appends). */
  caPathPem(caName: string): string {
    let pem = "";
    let name = caName;
    for (let guard = 0; name !== ROOT && guard < 8; guard++) {
      pem += readFileSync(this.certFile(name), "utf8");
      name = this.get(name).issuer;
    }
    return pem;
  }

  private requireInit(): void {
    if (!this.exists()) throw new CaError(`no CA in ${this.dir}: run \`os ca init\` first`);
  }

  private writeKey(name: string, pem: string): void {
    const file = this.keyFile(name);
    writeFileSync(file, pem, { mode: 0o600 });
    chmodSync(file, 0o600); // mode only applies when the file is created
  }

  private readIndex(): Index {
    if (!existsSync(this.indexFile)) return { crlNumber: 0, certs: [] };
    return JSON.parse(readFileSync(this.indexFile, "utf8")) as Index;
  }

  private writeIndex(index: Index): void {
    const tmp = `${this.indexFile}.tmp`;
    writeFileSync(tmp, `${JSON.stringify(index, null, 2)}\n`);
    renameSync(tmp, this.indexFile);
  }
}

function record(name: string, kind: CertKind, issuer: string, cert: forge.pki.Certificate, sans: string[], ms: number): CertRecord {
  return {
    name,
    kind,
    serial: cert.serialNumber,
    subject: formatDn(cert.subject.attributes),
    issuer,
    sans,
    notBefore: cert.validity.notBefore.toISOString(),
    notAfter: cert.validity.notAfter.toISOString(),
    status: "valid",
    issueMs: Math.round(ms),
  };
}
