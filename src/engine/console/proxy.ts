import { type IncomingMessage, type Server, type ServerResponse, createServer } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import { connect } from "node:net";
import type { Duplex } from "node:stream";
import { type WebSocket, WebSocketServer } from "ws";
import { type ServeOptions, secureOptions, watchTls } from "../common/http/server.js";
import { log } from "../common/log.js";
import { serveStatic } from "./static-files.js";
import type { ConsoleAuth, ConsoleTokenStore } from "./token-store.js";

export interface ConsoleProxyOptions {
  tokens: ConsoleTokenStore;
  /** noVNC's web files (vnc_lite.html, core/, vendor/…); null serves none */
  webRoot: string | null;
  /** extra allowed Origin hosts (nova's [console] allowed_origins) */
  allowedOrigins?: string[];
  /** Serve https/wss only (Nova's ssl_only with cert/key): the chain and key from the lab CA. */
  tls?: ServeOptions["tls"];
}

/** Refusals are plain HTTP answers before the upgrade, so a browser or a client sees why. */
function refuse(socket: Duplex, status: number, reason: string, message: string): void {
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\nContent-Type: text/plain\r\nContent-Length: ${Buffer.byteLength(message) + 1}\r\nConnection: close\r\n\r\n${message}\n`,
  );
}

/** The token: the `token` query parameter, else a `token` cookie (what nova-novncproxy accepts). */
export function tokenOf(req: IncomingMessage): string {
  const url = new URL(req.url ?? "/", "http://x");
  const q = url.searchParams.get("token");
  if (q) return q;
  // noVNC passes `path=websockify?token=…`, which some clients put URL-encoded in `path`
  const path = url.searchParams.get("path");
  if (path) {
    const t = new URL(path, "http://x").searchParams.get("token");
    if (t) return t;
  }
  for (const part of (req.headers.cookie ?? "").split(";")) {
    const [k, ...v] = part.trim().split("=");
    if (k === "token") return decodeURIComponent(v.join("="));
  }
  return "";
}

/** Nova checks that the page's Origin is this proxy (or an allowed origin) to stop cross-site use. */
function originAllowed(req: IncomingMessage, allowed: string[]): boolean {
  const origin = req.headers.origin;
  if (!origin) return true; // not a browser
  let host: string;
  try {
    host = new URL(origin).hostname;
  } catch {
    return false;
  }
  const expected = (req.headers.host ?? "").replace(/:\d+$/, "").replace(/^\[|\]$/g, "");
  return host === expected || allowed.includes(host);
}

/**
 * nova-novncproxy: serves noVNC's page and bridges each websocket to the guest's VNC server after
 * validating the console token (unknown or expired → 403 before the upgrade). The bytes are passed
 * through unchanged: the guest's RFB greeting is the first frame the browser receives.
 */
export function createConsoleProxy(opts: ConsoleProxyOptions): Server {
  const wss = new WebSocketServer({
    noServer: true,
    handleProtocols: (protocols) => (protocols.has("binary") ? "binary" : false),
  });
  const onRequest = (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? "/", "http://x");
    const head = req.method === "HEAD";
    if (req.method !== "GET" && !head) {
      res.writeHead(405, { allow: "GET, HEAD", "content-type": "text/plain" }).end("405 Method Not Allowed\n");
      return;
    }
    if (url.pathname === "/" && opts.webRoot) {
      res.writeHead(302, { location: `/vnc_lite.html${url.search}` }).end();
      return;
    }
    if (opts.webRoot && serveStatic(opts.webRoot, url.pathname, res, head)) return;
    res.writeHead(404, { "content-type": "text/plain" }).end(`404 Not Found: ${url.pathname}\n`);
  };
  // With TLS the proxy speaks https/wss only: a plain-HTTP client fails the handshake and is never served.
  const tls = opts.tls;
  const server = tls ? (createHttpsServer(secureOptions(tls), onRequest) as unknown as Server) : createServer(onRequest);
  if (tls?.watch) watchTls(server, tls.watch);

  server.on("upgrade", (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on("error", () => {});
    if (!originAllowed(req, opts.allowedOrigins ?? [])) {
      refuse(socket, 403, "Forbidden", "Origin header does not match this host.");
      return;
    }
    const token = tokenOf(req);
    let auth: ConsoleAuth | null = null;
    try {
      auth = token ? opts.tokens.validate(token) : null;
    } catch (err) {
      log.error(`console token lookup failed: ${(err as Error).message}`);
    }
    if (!auth) {
      // never log the token itself: it grants a console
      log.info(`refused a console connection: ${token ? "invalid or expired token" : "no token"}`);
      refuse(socket, 403, "Forbidden", token ? "The token is invalid or has expired." : "No console token given.");
      return;
    }
    const target = auth;
    const vnc = connect({ host: target.host, port: target.port });
    vnc.once("error", (err) => {
      log.warning(`console of ${target.instance_uuid}: cannot reach ${target.host}:${target.port}: ${err.message}`);
      if (!socket.destroyed) refuse(socket, 502, "Bad Gateway", "The console of this instance is not reachable.");
    });
    vnc.once("connect", () => {
      vnc.removeAllListeners("error");
      wss.handleUpgrade(req, socket, head, (ws: WebSocket) => bridge(ws, vnc, target));
    });
  });
  server.on("close", () => wss.close());
  return server;
}

function bridge(ws: WebSocket, vnc: import("node:net").Socket, auth: ConsoleAuth): void {
  log.info(`console of instance ${auth.instance_uuid} opened (${auth.host}:${auth.port})`);
  vnc.on("data", (d: Buffer) => {
    if (ws.readyState === ws.OPEN) ws.send(d, { binary: true });
  });
  ws.on("message", (d: Buffer | ArrayBuffer | Buffer[]) => {
    vnc.write(Array.isArray(d) ? Buffer.concat(d) : Buffer.from(d as Buffer));
  });
  const close = () => {
    vnc.destroy();
    if (ws.readyState === ws.OPEN || ws.readyState === ws.CONNECTING) ws.close();
  };
  vnc.on("close", close);
  vnc.on("error", close);
  ws.on("close", close);
  ws.on("error", close);
}
