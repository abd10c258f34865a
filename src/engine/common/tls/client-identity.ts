// What a service presents and trusts when it calls another service's API (authtoken → Keystone,
// nova → Glance/Placement/Keystone, compute → Glance/Placement): keystonemiddleware's
// [keystone_authtoken] cafile/certfile/keyfile when set, else, with [ssl] enabled, the lab CA and the
// services' client certificate that `os cloud up --tls` issued. A server that does not ask for a client
// certificate never sees it; one with [ssl] verify_client gets it in the handshake.
import { existsSync } from "node:fs";
import { Transport } from "../../../client/transport.js";
import type { Config } from "../config/config.js";
import type { Layout } from "../paths.js";
import { caDirOf, sslOption } from "./options.js";
import { SERVICE_CLIENT_CERT } from "./prepare.js";
import { CaStore } from "./store.js";

/** File paths, in clouds.yaml's words (cacert, cert, key); a field is absent when it has no file. */
export interface ClientTlsFiles {
  cacert?: string;
  cert?: string;
  key?: string;
}

/** The lab's files for service-to-service calls (root CA, client chain + key); undefined with [ssl] off. */
export function labClientFiles(config: Config, l: Layout): Required<ClientTlsFiles> | undefined {
  if (!sslOption<boolean>(config, "enabled")) return undefined;
  const store = new CaStore(caDirOf(config, l));
  return { cacert: store.rootCert, cert: store.chainFile(SERVICE_CLIENT_CERT), key: store.keyFile(SERVICE_CLIENT_CERT) };
}

const authtokenOpt = (config: Config, name: string): string =>
  config.schema.keystone_authtoken?.[name] ? config.str("keystone_authtoken", name) : "";

/** What this service's outgoing calls use: [keystone_authtoken] cafile/certfile/keyfile, else the lab's. */
export function serviceClientTls(config: Config, l: Layout): ClientTlsFiles {
  const lab = labClientFiles(config, l);
  const pick = (option: string, fallback?: string) => {
    const file = authtokenOpt(config, option) || fallback;
    return file && existsSync(file) ? file : undefined;
  };
  const out: ClientTlsFiles = {};
  const cacert = pick("cafile", lab?.cacert);
  const cert = pick("certfile", lab?.cert);
  const key = pick("keyfile", lab?.key);
  if (cacert) out.cacert = cacert;
  // A certificate without its key (or the reverse) cannot be presented: use neither.
  if (cert && key) Object.assign(out, { cert, key });
  return out;
}

const transports = new Map<string, Transport>();

/** One keep-alive transport per identity and process. */
function transportFor(files: ClientTlsFiles): Transport {
  const key = `${files.cacert ?? ""}|${files.cert ?? ""}|${files.key ?? ""}`;
  let t = transports.get(key);
  if (!t) {
    t = Transport.fromFiles(files);
    transports.set(key, t);
  }
  return t;
}

export type FetchLike = (
  url: string,
  init: { method: string; headers: Record<string, string>; body?: string | Buffer },
) => Promise<Response>;

/**
 * fetch() for service-to-service calls: node's global fetch cannot present a client certificate, so
 * this goes through the client's Transport (node:https) with the service's identity and answers a
 * WHATWG Response, as the callers expect.
 */
export function serviceFetch(config: Config, l: Layout): FetchLike {
  const files = serviceClientTls(config, l);
  return async (url, init) => {
    const raw = await transportFor(files).send(init.method, url, init.headers, init.body);
    const headers = new Headers();
    for (const [k, v] of Object.entries(raw.headers)) {
      if (v === undefined) continue;
      for (const one of Array.isArray(v) ? v : [v]) headers.append(k, one);
    }
    // A Response for 204/205/304 must have a null body.
    const nullBody = [204, 205, 304].includes(raw.status) || init.method === "HEAD";
    return new Response(nullBody ? null : raw.body, { status: raw.status, statusText: raw.statusText, headers });
  };
}
