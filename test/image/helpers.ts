import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { request } from "node:http";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import "../../src/engine/common/http/filters.js";
import "../../src/engine/common/auth/index.js";
import { loadConfig } from "../../src/engine/common/config/config.js";
import { loadApp } from "../../src/engine/common/http/paste.js";
import { serve } from "../../src/engine/common/http/server.js";
import { fixturesDir } from "../../src/engine/common/paths.js";
import { createImageService } from "../../src/engine/image/app.js";
import { entryFork } from "../helpers/runtime.js";

export interface Glance {
  base: string;
  dir: string;
  close(): Promise<void>;
}

/** glance-api in this process: the real paste file with the noauth2 pipeline, a temp state dir. */
export async function startGlance(overrides: string[] = []): Promise<Glance> {
  const dir = mkdtempSync(join(tmpdir(), "glance-test-"));
  const config = loadConfig(undefined, ["api.auth_strategy=noauth2", "trace.enabled=false", ...overrides]);
  const app = await loadApp(join(fixturesDir, "glance", "api-paste.ini"), "main", {
    config,
    state_dir: dir,
    error_format: "glance",
    auth_strategy: "noauth2",
    service_name: "glance",
    image_service: createImageService(config, dir),
  });
  const server: Server = await serve(app, 0);
  const { port } = server.address() as AddressInfo;
  return {
    base: `http://127.0.0.1:${port}`,
    dir,
    close: async () => {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A small client: JSON in and out, X-Auth-Token `user:project` (noauth2). */
export function client(base: string, token: string) {
  const call = async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => {
    const h: Record<string, string> = { "x-auth-token": token, ...headers };
    let payload: string | undefined;
    if (body !== undefined) {
      payload = typeof body === "string" ? body : JSON.stringify(body);
      h["content-type"] ??= "application/json";
    }
    const res = await fetch(`${base}${path}`, { method, headers: h, body: payload });
    const text = await res.text();
    let json: any;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    return { status: res.status, headers: res.headers, text, json };
  };
  return {
    call,
    get: (p: string) => call("GET", p),
    post: (p: string, b?: unknown) => call("POST", p, b),
    put: (p: string, b?: unknown) => call("PUT", p, b),
    del: (p: string) => call("DELETE", p),
    patch: (p: string, ops: unknown[]) => call("PATCH", p, ops, { "content-type": "application/openstack-images-v2.1-json-patch" }),
    create: async (body: Record<string, unknown>) => {
      const r = await call("POST", "/v2/images", { disk_format: "qcow2", container_format: "bare", ...body });
      if (r.status !== 201) throw new Error(`create failed: ${r.status} ${r.text}`);
      return r.json as Record<string, any>;
    },
  };
}

/** Deterministic pseudo-random bytes, produced chunk by chunk (never held whole). */
export function patternStream(total: number, chunk = 64 * 1024): Readable {
  let sent = 0;
  let seed = 12345;
  return new Readable({
    read() {
      if (sent >= total) return this.push(null);
      const n = Math.min(chunk, total - sent);
      const buf = Buffer.allocUnsafe(n);
      for (let i = 0; i < n; i++) {
        seed = (seed * 1103515245 + 12345) & 0x7fffffff;
        buf[i] = seed >>> 16;
      }
      sent += n;
      this.push(buf);
    },
  });
}

export async function digests(stream: Readable): Promise<{ md5: string; sha512: string; size: number }> {
  const md5 = createHash("md5");
  const sha = createHash("sha512");
  let size = 0;
  for await (const c of stream) {
    md5.update(c as Buffer);
    sha.update(c as Buffer);
    size += (c as Buffer).length;
  }
  return { md5: md5.digest("hex"), sha512: sha.digest("hex"), size };
}

/** Stream a body with node:http (chunked unless a length is given); resolves with status and text. */
export function streamUpload(
  url: string,
  token: string,
  body: Readable,
  opts: { method?: string; contentType?: string; length?: number } = {},
): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { "x-auth-token": token, "content-type": opts.contentType ?? "application/octet-stream" };
    if (opts.length !== undefined) headers["content-length"] = String(opts.length);
    const req = request(url, { method: opts.method ?? "PUT", headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString("utf8") }));
    });
    // The server may answer (413) and close before the body is sent: that is an answer, not a failure.
    req.on("error", (err) => reject(err));
    body.on("error", reject);
    body.pipe(req);
  });
}

/** Download through node:http and hash the stream as it arrives. */
export function streamDownload(url: string, token: string, headers: Record<string, string> = {}) {
  return new Promise<{ status: number; headers: Record<string, unknown>; md5: string; sha512: string; size: number }>((resolve, reject) => {
    request(url, { headers: { "x-auth-token": token, ...headers } }, async (res) => {
      try {
        const d = await digests(res);
        resolve({ status: res.statusCode ?? 0, headers: res.headers, ...d });
      } catch (e) {
        reject(e);
      }
    })
      .on("error", reject)
      .end();
  });
}

export interface GlanceProcess {
  base: string;
  pid: number;
  home: string;
  stop(): Promise<void>;
}

/** glance-api as its own process (noauth2, port 0, a temp state dir), ready once it reports its port. */
export async function forkGlance(set: string[] = [], opts: { fromSource?: boolean } = {}): Promise<GlanceProcess> {
  const { fork } = await import("node:child_process");
  const home = mkdtempSync(join(tmpdir(), "glance-proc-"));
  const { modulePath, execArgv } = entryFork("src/engine/image/main.ts", opts);
  const child = fork(modulePath, [], {
    execArgv,
    env: {
      ...process.env,
      POCKETSTACK_HOME: home,
      POCKETSTACK_SET: ["api.glance_port=0", "api.auth_strategy=noauth2", "trace.enabled=false", ...set].join(";"),
    },
    stdio: ["ignore", "ignore", "inherit", "ipc"],
  });
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null && child.pid !== undefined) {
      const exited = new Promise((r) => child.once("exit", r));
      process.kill(child.pid, "SIGKILL");
      await exited;
    }
    rmSync(home, { recursive: true, force: true });
  };
  try {
    const port = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error("glance did not report ready within 20 s")), 20_000);
      child.on("message", (m: { type?: string; port?: number }) => {
        if (m.type === "ready" && m.port) {
          clearTimeout(timer);
          resolve(m.port);
        }
      });
      child.once("exit", (code) => reject(new Error(`glance exited early with ${code}`)));
    });
    return { base: `http://127.0.0.1:${port}`, pid: child.pid as number, home, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

/** The peak resident set size of a process so far (VmHWM), in bytes. */
export function peakRss(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = /^VmHWM:\s+(\d+) kB/m.exec(status)?.[1];
  if (!kb) throw new Error(`no VmHWM in /proc/${pid}/status`);
  return Number(kb) * 1024;
}
