import { readFileSync } from "node:fs";
import { Agent as HttpAgent, type IncomingMessage, request as httpRequest } from "node:http";
import { Agent as HttpsAgent, request as httpsRequest } from "node:https";
import { Readable } from "node:stream";
import { ConnectionError } from "./errors.js";

export type Body = string | Buffer | Readable | undefined;

export interface RawResponse {
  status: number;
  statusText: string;
  headers: IncomingMessage["headers"];
  /** The whole body, unless the caller asked for the stream. */
  body: Buffer;
  stream?: IncomingMessage;
}

export interface TransportOptions {
  /** PEM bundle to trust (OS_CACERT). */
  ca?: string | Buffer;
  insecure?: boolean;
  timeoutMs?: number;
  /** Client certificate (PEM, leaf first) and its key, presented when a server asks (OS_CERT / OS_KEY). */
  cert?: string | Buffer;
  key?: string | Buffer;
}

/**
 * HTTP(S) with keep-alive agents, a CA bundle for TLS (what fetch cannot take without extra packages),
 * and connection failures reported the way keystoneauth words them.
 */
export class Transport {
  private readonly http = new HttpAgent({ keepAlive: true });
  private readonly https: HttpsAgent;
  constructor(private readonly opts: TransportOptions = {}) {
    this.https = new HttpsAgent({ keepAlive: true, ca: opts.ca, cert: opts.cert, key: opts.key, rejectUnauthorized: !opts.insecure });
  }

  /** From file paths as clouds.yaml names them (cacert, cert, key). */
  static fromFiles(files: { cacert?: string; cert?: string; key?: string; insecure?: boolean }): Transport {
    const read = (f?: string) => (f ? readFileSync(f) : undefined);
    return new Transport({ ca: read(files.cacert), cert: read(files.cert), key: read(files.key), insecure: files.insecure });
  }

  send(method: string, url: string, headers: Record<string, string>, body: Body, stream = false): Promise<RawResponse> {
    const u = new URL(url);
    const secure = u.protocol === "https:";
    const req = (secure ? httpsRequest : httpRequest)(u, {
      method,
      headers,
      agent: secure ? this.https : this.http,
      timeout: this.opts.timeoutMs ?? 120_000,
    });
    return new Promise<RawResponse>((resolve, reject) => {
      req.on("timeout", () => req.destroy(new ConnectionError(`Read timed out contacting ${url}`)));
      req.on("error", (err: NodeJS.ErrnoException) => {
        if (err instanceof ConnectionError) return reject(err);
        // A refused local address usually means the local cloud is down: say what to do about it.
        const hint =
          err.code === "ECONNREFUSED" && /\/\/(127\.|localhost)/.test(url)
            ? " (is the local cloud up? `os cloud status` shows it, `os cloud up` starts it)"
            : "";
        reject(new ConnectionError(`Unable to establish connection to ${url}: ${err.code ?? err.message}${hint}`));
      });
      req.on("response", (res) => {
        const base = { status: res.statusCode ?? 0, statusText: res.statusMessage ?? "", headers: res.headers };
        if (stream && base.status < 300) return resolve({ ...base, body: Buffer.alloc(0), stream: res });
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => resolve({ ...base, body: Buffer.concat(chunks) }));
        res.on("error", (e) => reject(new ConnectionError(`Connection to ${url} broke: ${e.message}`)));
      });
      if (body instanceof Readable) body.pipe(req);
      else req.end(body);
    });
  }

  close(): void {
    this.http.destroy();
    this.https.destroy();
  }
}
