import { type IncomingMessage, type Server, type ServerResponse, createServer } from "node:http";
import { Readable } from "node:stream";
import { log } from "../log.js";
import type { App, HttpRequest, HttpResponse } from "./types.js";

/** Build the app-facing request from node's IncomingMessage. */
export function toRequest(raw: IncomingMessage): HttpRequest {
  const url = raw.url ?? "/";
  const q = url.indexOf("?");
  let cached: Promise<Buffer> | undefined;
  return {
    method: raw.method ?? "GET",
    path: decodeURI(q < 0 ? url : url.slice(0, q)),
    scriptName: "",
    query: new URLSearchParams(q < 0 ? "" : url.slice(q + 1)),
    headers: raw.headers,
    raw,
    environ: {},
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

/** Serve an app on host:port; resolves once listening. The last-resort catch never leaks a stack. */
export function serve(app: App, port: number, host = "127.0.0.1"): Promise<Server> {
  const server = createServer(async (raw, res) => {
    let out: HttpResponse;
    try {
      const req = toRequest(raw);
      out = await app(req);
    } catch (err) {
      log.error(`unhandled error outside faultwrap: ${(err as Error)?.stack ?? err}`);
      out = { status: 500, headers: { "content-type": "text/plain" }, body: "500 Internal Server Error\n" };
    }
    writeResponse(res, out);
  });
  server.keepAliveTimeout = 65_000;
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => resolve(server));
  });
}
