// What `os cloud up --tls` needs before it starts the services: the lab CA (created once), a server
// certificate per service (reused while it still fits), a client certificate for service-to-service
// calls, and fresh CRLs.
import { X509Certificate } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { isIP } from "node:net";
import { join } from "node:path";
import { CaStore, INTERMEDIATE } from "./store.js";

export interface TlsService {
  name: string;
  /** DNS names / IPs clients use to reach it (my_ip, the host name); localhost and 127.0.0.1 are added. */
  hosts: string[];
}

export interface ServiceCert {
  certFile: string;
  keyFile: string;
  /** Leaf + intermediate: what the service presents. */
  chainFile: string;
  /** false when this run issued it; true when an existing certificate still fitted. */
  reused: boolean;
  issueMs: number;
}

export interface PreparedTls {
  caDir: string;
  /** The root CA: clouds.yaml `cacert`, `openstack --os-cacert`, NODE_EXTRA_CA_CERTS. */
  caFile: string;
  /** Intermediate + root: what a server trusts for client certificates. */
  caChainFile: string;
  /** CRLs of every CA (one file), for servers that verify clients. */
  crlFile: string;
  services: Record<string, ServiceCert>;
  /** Client certificate the services (and the supervisor's health checks) present when mTLS is on. */
  client: ServiceCert;
  /** Client certificate of the admin profile (clouds.yaml cert/key): the CLI presents it when mTLS is on. */
  admin: ServiceCert;
  /** Whether this run created the CA. */
  createdCa: boolean;
}

export const SERVICE_CLIENT_CERT = "pocketstack-services";
/** CN=admin: with [tokenless_auth] on and the default mapping, it also maps to Keystone's admin user. */
export const ADMIN_CLIENT_CERT = "admin";
const RENEW_BEFORE_MS = 30 * 86_400_000;

export async function prepareTls(
  stateDir: string,
  services: TlsService[],
  opts: { caDir?: string; days?: number; now?: Date } = {},
): Promise<PreparedTls> {
  const store = new CaStore(opts.caDir ?? join(stateDir, "ca"));
  const createdCa = !store.exists();
  if (createdCa) await store.init();
  const now = opts.now ?? new Date();
  const out: Record<string, ServiceCert> = {};
  for (const svc of services) {
    const hosts = [...new Set([...svc.hosts, "localhost", "127.0.0.1"])];
    out[svc.name] = await ensureCert(store, svc.name, "server", hosts, now, opts.days);
  }
  const client = await ensureCert(store, SERVICE_CLIENT_CERT, "client", [], now, opts.days);
  const admin = await ensureCert(store, ADMIN_CLIENT_CERT, "client", [], now, opts.days);
  store.writeCrls(now);
  return {
    caDir: store.dir,
    caFile: store.rootCert,
    caChainFile: store.caChain,
    crlFile: store.crlFile,
    services: out,
    client,
    admin,
    createdCa,
  };
}

async function ensureCert(
  store: CaStore,
  name: string,
  kind: "server" | "client",
  hosts: string[],
  now: Date,
  days?: number,
): Promise<ServiceCert> {
  const files = { certFile: store.certFile(name), keyFile: store.keyFile(name), chainFile: store.chainFile(name) };
  const rec = store.find(name);
  if (rec && fits(store, name, kind, hosts, now)) return { ...files, reused: true, issueMs: 0 };
  const issued = await store.issue({ name, kind, sans: hosts, days, replace: rec !== undefined });
  return { ...files, reused: false, issueMs: issued.issueMs };
}

/** An existing certificate is kept when it is valid, of the right kind, covers every host, signed by today's intermediate, and not near expiry. */
function fits(store: CaStore, name: string, kind: string, hosts: string[], now: Date): boolean {
  const rec = store.find(name);
  if (rec?.status !== "valid" || rec.kind !== kind || rec.issuer !== INTERMEDIATE) return false;
  if (![store.certFile(name), store.keyFile(name), store.chainFile(name)].every(existsSync)) return false;
  const cert = new X509Certificate(readFileSync(store.certFile(name)));
  if (new Date(cert.validTo).getTime() - now.getTime() < RENEW_BEFORE_MS) return false;
  const inter = new X509Certificate(readFileSync(store.certFile(INTERMEDIATE)));
  if (!cert.verify(inter.publicKey)) return false;
  return hosts.every((h) => (isIP(h) ? cert.checkIP(h) : cert.checkHost(h)) !== undefined);
}
