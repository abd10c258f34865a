import { unwatchFile, watchFile } from "node:fs";
import { type IncomingMessage, type RequestListener, type Server, type ServerResponse, createServer } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import type { TLSSocket } from "node:tls";
import { Readable } from "node:stream";
import { log } from "../log.js";
import type { App, HttpRequest, HttpResponse } from "./types.js";

/** Build the app-facing request from node's IncomingMessage. */
/** decodeURI, but a malformed escape ("%", "%zz") leaves the path as sent (the router's unquote copes) instead of throwing. */
function decodePath(p: string): string {
  try {
    return decodeURI(p);
  } catch {
    return p;
  }
}

export function toRequest(raw: IncomingMessage): HttpRequest {
  const url = raw.url ?? "/";
  const q = url.indexOf("?");
  let cached: Promise<Buffer> | undefined;
  const secure = (raw.socket as TLSSocket).encrypted === true;
  // Services build their links from X-Forwarded-Proto (default http); over TLS the scheme the client used
  // is https, so say so unless a proxy in front already did (as oslo.middleware's HTTPProxyToWSGI reads it).
  const headers = secure && !raw.headers["x-forwarded-proto"] ? { ...raw.headers, "x-forwarded-proto": "https" } : raw.headers;
  return {
    method: raw.method ?? "GET",
    path: decodePath(q < 0 ? url : url.slice(0, q)),
    scriptName: "",
    query: new URLSearchParams(q < 0 ? "" : url.slice(q + 1)),
    headers,
    raw,
    environ: { "wsgi.url_scheme": secure ? "https" : "http" },
    params: {},
    body() {
      cached ??= new Promise<Buffer>((resolve, reject) => {
        const chunks: Buffer[] = [];
        raw.on("data", (c: Buffer) => chunks.push(c));
        raw.on("end", () => resolve(Buffer.concat(chunks)));
        raw.on("error", reject);
      });
      return cached;
    },
  };
}

export function writeResponse(res: ServerResponse, out: HttpResponse): void {
  const body = out.body;
  res.statusCode = out.status;
  for (const [k, v] of Object.entries(out.headers)) res.setHeader(k, v);
  if (body instanceof Readable) {
    body.on("error", () => res.destroy());
    body.pipe(res);
    return;
  }
  if (body !== undefined && !res.hasHeader("content-length")) res.setHeader("content-length", Buffer.byteLength(body));
  res.end(body);
}

/** PEM material for HTTPS (what nginx's ssl_certificate / ssl_certificate_key / ssl_client_certificate / ssl_crl hold). */
export interface TlsMaterial {
  /** Leaf certificate followed by its intermediates (the chain file), so clients that only trust the root verify it. */
  cert: string | Buffer;
  key: string | Buffer;
  /** CAs that client certificates must chain to (mutual TLS). */
  ca?: string | Buffer;
  /** Ask for a client certificate and refuse the handshake without a valid one (ssl_verify_client on). */
  requestCert?: boolean;
  /** Ask for a client certificate but let a connection without a valid one in (ssl_verify_client optional):
   * the app reads `socket.authorized` (Keystone's tokenless authorization). Ignored with requestCert. */
  optionalCert?: boolean;
  /** Revocation lists checked for client certificates: one per CA in the chain (a PEM file may hold several). */
  crl?: string | Buffer | Array<string | Buffer>;
}

export interface ServeOptions {
  tls?: TlsMaterial & {
    /** Files to watch (e.g. the CRL, the certificate); on change `reload()` gives fresh material without a restart. */
    watch?: { files: string[]; reload: () => TlsMaterial; intervalMs?: number };
  };
}

/**
 * Serve an app on host:port (HTTPS when `opts.tls` is given); resolves once listening.
 * The last-resort catch never leaks a stack.
 */
export function serve(app: App, port: number, host = "127.0.0.1", opts: ServeOptions = {}): Promise<Server> {
  const tls = opts.tls;
  const handler: RequestListener = async (raw, res) => {
    // Belt and braces: never serve a request over a connection whose client certificate failed.
    if (tls?.requestCert && !(raw.socket as TLSSocket).authorized) {
      raw.socket.destroy();
      return;
    }
    let out: HttpResponse;
    try {
      const req = toRequest(raw);
      out = await app(req);
    } catch (err) {
      log.error(`unhandled error outside faultwrap: ${(err as Error)?.stack ?? err}`);
      out = { status: 500, headers: { "content-type": "text/plain" }, body: "500 Internal Server Error\n" };
    }
    writeResponse(res, out);
  };
  // https.Server has every http.Server method callers use (close, address, keepAliveTimeout).
  const server = tls ? (createHttpsServer(secureOptions(tls), handler) as unknown as Server) : createServer(handler);
  server.keepAliveTimeout = 65_000;
  if (tls?.watch) watchTls(server, tls.watch);
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => resolve(server));
  });
}

/** node:tls options from the material (also used by the console proxy, which is no paste app). */
export function secureOptions(tls: TlsMaterial) {
  return {
    cert: tls.cert,
    key: tls.key,
    ca: tls.ca,
    crl: (tls.requestCert || tls.optionalCert) && tls.crl ? splitCrls(tls.crl) : undefined,
    requestCert: tls.requestCert === true || tls.optionalCert === true,
    // With it, OpenSSL refuses a handshake without a certificate (alert certificate_required), and Node drops
    // the connection of a certificate that fails verification (revoked, expired, wrong CA or purpose)
    // before any request is read. Without it, both would be let through.
    rejectUnauthorized: tls.requestCert === true,
  };
}

/**
 * Node reads only the first CRL of each PEM it is given, and checks every CA level (CRL_CHECK_ALL), so a
 * file with the root's and the intermediate's CRLs must be handed over as one entry per CRL.
 */
function splitCrls(crl: string | Buffer | Array<string | Buffer>): string[] {
  const texts = (Array.isArray(crl) ? crl : [crl]).map(String);
  return texts.flatMap((t) => t.match(/-----BEGIN X509 CRL-----[\s\S]+?-----END X509 CRL-----/g) ?? []);
}

/** Re-read certificates/CRL when their files change, so `os ca revoke` takes effect on a running service. */
export function watchTls(server: Server, watch: NonNullable<NonNullable<ServeOptions["tls"]>["watch"]>): void {
  const onChange = (cur: { mtimeMs: number }, prev: { mtimeMs: number }) => {
    if (cur.mtimeMs === prev.mtimeMs) return;
    try {
      (server as unknown as { setSecureContext(o: object): void }).setSecureContext(secureOptions(watch.reload()));
      log.info(`reloaded TLS material after a change to ${watch.files.join(", ")}`);
    } catch (err) {
      log.error(`kept the previous TLS material: reloading failed: ${(err as Error).message}`);
    }
  };
  for (const f of watch.files) watchFile(f, { interval: watch.intervalMs ?? 2000, persistent: false }, onChange);
  server.once("close", () => {
    for (const f of watch.files) unwatchFile(f, onChange);
  });
}
