// nova-novncproxy with [ssl] enabled: https/wss with its chain from the lab CA, the websocket bridge working
// over wss (to a stand-in VNC server that greets like QEMU's and echoes), plain http/ws never served, and
// the console URL's default following the scheme.
import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { type Server, request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";
import { type Server as TcpServer, createServer as createTcpServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { loadConfig } from "../../src/engine/common/config/config.js";
import { migrate, openDatabase } from "../../src/engine/common/db/database.js";
import { caServeOptions } from "../../src/engine/common/tls/serve-options.js";
import { CaStore } from "../../src/engine/common/tls/store.js";
import { NOVA_CELL_MIGRATIONS } from "../../src/engine/compute/db/cell-migrations.js";
import { novncBaseUrl } from "../../src/engine/console/base-url.js";
import { createConsoleProxy } from "../../src/engine/console/proxy.js";
import { CellDbTokenStore, tokenHash } from "../../src/engine/console/token-store.js";

const dir = mkdtempSync(join(tmpdir(), "ps-novnc-tls-"));
const good = randomBytes(16).toString("hex");
let ca: CaStore;
let vnc: TcpServer;
let proxy: Server;
let mtlsProxy: Server;
let store: CellDbTokenStore;
let port = 0;
let mtlsPort = 0;

const listen = (s: Server | TcpServer) =>
  new Promise<number>((resolve) => s.listen(0, "127.0.0.1", () => resolve((s.address() as { port: number }).port)));

/** Open a websocket and collect what it receives; resolves the first frame, the refusal status, or the error code. */
function exchange(
  url: string,
  opts: WebSocket.ClientOptions,
  send?: string,
): Promise<{ frames: string[]; status?: number; error?: string }> {
  return new Promise((resolve) => {
    const frames: string[] = [];
    const ws = new WebSocket(url, ["binary"], opts);
    const done = (r: { frames: string[]; status?: number; error?: string }) => {
      clearTimeout(timer);
      ws.terminate();
      resolve(r);
    };
    const timer = setTimeout(() => done({ frames, error: "timeout" }), 10_000);
    ws.on("message", (d: Buffer) => {
      frames.push(d.toString("latin1"));
      if (send && frames.length === 1) ws.send(Buffer.from(send));
      else done({ frames });
    });
    ws.on("unexpected-response", (_req, res) => done({ frames, status: res.statusCode }));
    ws.on("error", (e: NodeJS.ErrnoException) => done({ frames, error: e.code ?? e.message }));
  });
}

/** A plain GET; the status, or the error code when no HTTP answer comes. */
function get(url: string, opts: object = {}): Promise<number | string> {
  return new Promise((resolve) => {
    const req = (url.startsWith("https:") ? httpsRequest : httpRequest)(url, { agent: false, ...opts }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.setTimeout(5000, () => req.destroy(new Error("timeout")));
    req.on("error", (e: NodeJS.ErrnoException) => resolve(e.code ?? e.message));
    req.end();
  });
}

beforeAll(async () => {
  ca = new CaStore(join(dir, "ca"));
  await ca.init();
  await ca.issue({ name: "novncproxy", kind: "server", sans: ["127.0.0.1", "localhost"] });
  await ca.issue({ name: "viewer", kind: "client" });
  ca.writeCrls(new Date());
  // Stand-in for the guest's VNC server: the RFB greeting first, then an echo of what the viewer sends.
  vnc = createTcpServer((sock) => {
    sock.on("error", () => undefined);
    sock.write("RFB 003.008\n");
    sock.on("data", (d) => sock.write(d));
  });
  const vncPort = await listen(vnc);
  const dbFile = join(dir, "nova.sqlite");
  const db = openDatabase(dbFile);
  migrate(db, NOVA_CELL_MIGRATIONS);
  db.prepare(
    "INSERT INTO console_auth_tokens (token_hash, console_type, host, port, internal_access_path, instance_uuid, access_url_base, expires, created_at) VALUES (?, 'novnc', '127.0.0.1', ?, NULL, 'inst-1', 'https://127.0.0.1/vnc_lite.html', ?, ?)",
  ).run(tokenHash(good), vncPort, Math.floor(Date.now() / 1000) + 600, new Date().toISOString());
  db.close();
  store = new CellDbTokenStore(dbFile);
  proxy = createConsoleProxy({ tokens: store, webRoot: null, tls: caServeOptions(ca.dir, "novncproxy").tls });
  mtlsProxy = createConsoleProxy({ tokens: store, webRoot: null, tls: caServeOptions(ca.dir, "novncproxy", { requestCert: true }).tls });
  [port, mtlsPort] = await Promise.all([listen(proxy), listen(mtlsProxy)]);
}, 60_000);

afterAll(() => {
  proxy?.close();
  mtlsProxy?.close();
  vnc?.close();
  store?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("nova-novncproxy over TLS", () => {
  it("bridges the websocket over wss: the guest's greeting arrives and the viewer's bytes reach the guest", async () => {
    const r = await exchange(`wss://127.0.0.1:${port}/websockify?token=${good}`, { ca: readFileSync(ca.rootCert) }, "viewer-hello");
    expect(r.error).toBeUndefined();
    expect(r.frames).toEqual(["RFB 003.008\n", "viewer-hello"]);
  });

  it("presents the chain from the lab CA: a client that does not trust the CA refuses it", async () => {
    const r = await exchange(`wss://127.0.0.1:${port}/websockify?token=${good}`, {});
    expect(r.frames).toEqual([]);
    expect(r.error).toMatch(/UNABLE_TO_GET_ISSUER_CERT_LOCALLY|SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_VERIFY_LEAF_SIGNATURE/);
  });

  it("still checks the token over wss (403 before the upgrade)", async () => {
    const r = await exchange(`wss://127.0.0.1:${port}/websockify?token=${"0".repeat(32)}`, { ca: readFileSync(ca.rootCert) });
    expect(r.status).toBe(403);
  });

  it("serves nothing over plain http or ws", async () => {
    expect(typeof (await get(`http://127.0.0.1:${port}/vnc_lite.html`))).toBe("string");
    const r = await exchange(`ws://127.0.0.1:${port}/websockify?token=${good}`, {});
    expect(r.frames).toEqual([]);
    expect(r.status).toBeUndefined();
    expect(r.error).toBeTruthy();
    // The same page over https answers (404 here: no noVNC files given), so the refusal above is the scheme's.
    expect(await get(`https://127.0.0.1:${port}/vnc_lite.html`, { ca: readFileSync(ca.rootCert) })).toBe(404);
  });

  it("with client certificates required (verify_client = novncproxy): none is refused, one from the lab CA bridges", async () => {
    const url = `wss://127.0.0.1:${mtlsPort}/websockify?token=${good}`;
    const none = await exchange(url, { ca: readFileSync(ca.rootCert) });
    expect(none.frames).toEqual([]);
    expect(none.error).toBeTruthy();
    const withCert = await exchange(url, {
      ca: readFileSync(ca.rootCert),
      cert: readFileSync(ca.chainFile("viewer")),
      key: readFileSync(ca.keyFile("viewer")),
    });
    expect(withCert.frames).toEqual(["RFB 003.008\n"]);
  });

  it("console URLs default to https:// on the proxy when [ssl] is enabled; an explicit novncproxy_base_url is kept", () => {
    const sets = ["DEFAULT.my_ip=127.0.0.1", "vnc.novncproxy_port=6099"];
    expect(novncBaseUrl(loadConfig(undefined, sets))).toBe("http://127.0.0.1:6099/vnc_lite.html");
    expect(novncBaseUrl(loadConfig(undefined, [...sets, "ssl.enabled=true"]))).toBe("https://127.0.0.1:6099/vnc_lite.html");
    expect(
      novncBaseUrl(loadConfig(undefined, [...sets, "ssl.enabled=true", "vnc.novncproxy_base_url=https://console.lab:443/vnc_lite.html"])),
    ).toBe("https://console.lab:443/vnc_lite.html");
  });
});
