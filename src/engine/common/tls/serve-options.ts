// What a service passes to serve() for HTTPS: its chain and key from the lab CA and, when it verifies
// clients, the CA chain and CRLs — re-read when the CRL changes so a revocation applies at once.
import { existsSync, readFileSync } from "node:fs";
import type { Config } from "../config/config.js";
import type { ServeOptions, TlsMaterial } from "../http/server.js";
import type { Layout } from "../paths.js";
import { caDirOf, sslOption, trustedIssuers, verifiesClients } from "./options.js";
import { CaStore } from "./store.js";

export class TlsSetupError extends Error {
  override name = "TlsSetupError";
}

/** serve()'s 4th argument for `serviceName`; `{}` (plain HTTP) when [ssl] enabled is false. */
export function tlsServeOptions(config: Config, l: Layout, serviceName: string): ServeOptions {
  if (!sslOption<boolean>(config, "enabled")) return {};
  const requestCert = verifiesClients(config, serviceName);
  // Keystone's tokenless authorization needs the certificate, but clients without one must still get in
  // (Apache's SSLVerifyClient optional, as Keystone's guide sets it up).
  const optionalCert = !requestCert && serviceName === "keystone" && trustedIssuers(config).length > 0;
  return caServeOptions(caDirOf(config, l), serviceName, { requestCert, optionalCert });
}

/**
 * HTTPS options from a CA directory: `<name>-chain.crt` + key, and with `requestCert` (required) or
 * `optionalCert` (asked for, verified, not required) the CA chain and CRLs.
 */
export function caServeOptions(
  caDir: string,
  serviceName: string,
  opts: { requestCert?: boolean; optionalCert?: boolean } = {},
): ServeOptions {
  const store = new CaStore(caDir);
  const optional = opts.requestCert !== true && opts.optionalCert === true;
  const requestCert = opts.requestCert === true || optional;
  const files = [store.chainFile(serviceName), store.keyFile(serviceName), ...(requestCert ? [store.caChain, store.crlFile] : [])];
  const missing = files.filter((f) => !existsSync(f));
  if (missing.length)
    throw new TlsSetupError(
      `TLS for ${serviceName}: ${missing.join(", ")} missing: the certificates are made by \`os cloud up --tls\` (prepareTls) or \`os ca issue ${serviceName} --san …\``,
    );
  const load = (): TlsMaterial => ({
    cert: readFileSync(store.chainFile(serviceName)),
    key: readFileSync(store.keyFile(serviceName)),
    ...(requestCert
      ? {
          ca: readFileSync(store.caChain),
          crl: readFileSync(store.crlFile),
          ...(optional ? { optionalCert: true } : { requestCert: true }),
        }
      : {}),
  });
  return { tls: { ...load(), watch: { files, reload: load } } };
}

/** The scheme a service advertises (catalog, ready URL). */
export function schemeOf(config: Config): "https" | "http" {
  return sslOption<boolean>(config, "enabled") ? "https" : "http";
}
