import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { os } from "../helpers/cli.js";
import { isolatedPorts } from "../helpers/ports.js";

// `os cloud up --tls` with `[ssl] verify_client = all`: every API over HTTPS with the lab CA and requiring a
// client certificate (the services present theirs to each other, the admin profile carries one), the CA in
// clouds.yaml, the real client verifying it, and the noVNC proxy over https/wss.
const dir = mkdtempSync(join(tmpdir(), "ps-tls-cloud-"));
let sets: string[] = [];
let keystonePort = 0;
let novncPort = 0;
const ca = () => readFileSync(join(dir, "ca", "ca.crt"));
const adminCert = () => ({
  cert: readFileSync(join(dir, "ca", "certs", "admin-chain.crt")),
  key: readFileSync(join(dir, "ca", "private", "admin.key")),
});

/** GET over https (or http) → status, or the error code when the connection fails. */
const get = (url: string, opts: { cert?: Buffer; key?: Buffer } = {}) =>
  new Promise<number | string>((resolve) => {
    const send = url.startsWith("https:") ? httpsRequest : httpRequest;
    const req = send(url, { ca: ca(), agent: false, ...opts }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.setTimeout(10_000, () => req.destroy(new Error("timeout")));
    req.on("error", (e: NodeJS.ErrnoException) => resolve(e.code ?? e.message));
    req.end();
  });

const run = (cmd: string, args: string[], env: NodeJS.ProcessEnv = {}) =>
  new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile(cmd, args, { env: { ...process.env, ...env }, timeout: 60_000 }, (err, stdout, stderr) =>
      resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
const which = (bin: string) =>
  (process.env.PATH ?? "").split(":").some((d) => {
    try {
      readFileSync(join(d, bin));
      return true;
    } catch {
      return false;
    }
  });

beforeAll(async () => {
  sets = await isolatedPorts();
  sets.push("ssl.verify_client=all");
  keystonePort = Number(sets.find((s) => s.startsWith("api.keystone_port="))?.split("=")[1]);
  novncPort = Number(sets.find((s) => s.startsWith("vnc.novncproxy_port="))?.split("=")[1]);
  const up = await os(
    ["cloud", "up", "--tls", "--driver", "fake", "--computes", "1", "--state-dir", dir, ...sets.flatMap((s) => ["--set", s])],
    {},
    240_000,
  );
  expect(up.code, up.stderr).toBe(0);
}, 300_000);

afterAll(async () => {
  await os(["cloud", "down", "--state-dir", dir]);
}, 60_000);

describe("os cloud up --tls", () => {
  it("records TLS in pocketstack.conf and the CA in clouds.yaml; the catalog is https", async () => {
    expect(readFileSync(join(dir, "pocketstack.conf"), "utf8")).toMatch(/\[ssl\]\s*\nenabled = true/);
    expect(readFileSync(join(dir, "clouds.yaml"), "utf8")).toContain(`cacert: ${join(dir, "ca", "ca.crt")}`);
    const cat = await os(["endpoint", "list", "-f", "json", "--state-dir", dir], { POCKETSTACK_HOME: dir });
    expect(cat.code, cat.stderr).toBe(0);
    const urls = (JSON.parse(cat.stdout) as Array<{ URL: string }>).map((e) => e.URL);
    expect(urls.length).toBeGreaterThanOrEqual(12);
    for (const u of urls) expect(u).toMatch(/^https:\/\//);
  });

  it("openssl verifies the served chain against the lab CA", async () => {
    const certs = `-cert ${join(dir, "ca", "certs", "admin-chain.crt")} -key ${join(dir, "ca", "private", "admin.key")}`;
    const r = await run("sh", [
      "-c",
      `openssl s_client -connect 127.0.0.1:${keystonePort} -CAfile ${join(dir, "ca", "ca.crt")} ${certs} </dev/null`,
    ]);
    expect(r.stdout).toMatch(/Verify return code: 0 \(ok\)/);
  });

  it.skipIf(!which("openstack"))("the real openstack client issues a token over HTTPS with the CA from clouds.yaml", async () => {
    const env = { OS_CLIENT_CONFIG_FILE: join(dir, "clouds.yaml"), OS_CLOUD: "pocketstack" };
    const r = await run("openstack", ["token", "issue", "-f", "value", "-c", "user_id"], env);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.trim()).toMatch(/^[0-9a-f]{32}$/);
  });

  it("with verify_client=all an API refuses a client without a certificate; the admin profile's certificate is let in", async () => {
    const keystone = `https://127.0.0.1:${keystonePort}/v3`;
    expect(await get(keystone)).not.toBe(200);
    expect(await get(keystone, adminCert())).toBe(200);
    expect(readFileSync(join(dir, "clouds.yaml"), "utf8")).toContain(`cert: ${join(dir, "ca", "certs", "admin-chain.crt")}`);
  });

  it("a server builds across mutual-TLS service-to-service calls (authtoken → keystone, nova → glance/placement, compute → placement/glance)", async () => {
    const r = await os(
      ["server", "create", "--flavor", "m1.tiny", "--image", "cirros", "--wait", "tlsvm", "-f", "json", "--state-dir", dir],
      { POCKETSTACK_HOME: dir },
      120_000,
    );
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).status).toBe("ACTIVE");
  });

  it("the console URL is https, the proxy serves noVNC over TLS only, and the websocket takes the token over wss", async () => {
    const r = await os(["console", "url", "show", "tlsvm", "-f", "json", "--state-dir", dir], { POCKETSTACK_HOME: dir }, 60_000);
    expect(r.code, r.stderr).toBe(0);
    const url = new URL(JSON.parse(r.stdout).url as string);
    expect(url.protocol).toBe("https:");
    expect(url.port).toBe(String(novncPort));
    // The page over https with the lab CA (no client certificate: browsers open it); plain http is not served.
    expect(await get(`https://127.0.0.1:${novncPort}/`)).toBeLessThan(500);
    expect(typeof (await get(`http://127.0.0.1:${novncPort}/`))).toBe("string");
    const token = new URLSearchParams(url.searchParams.get("path")?.split("?")[1] ?? "").get("token") ?? url.searchParams.get("token");
    expect(token).toBeTruthy();
    const upgrade = (t: string) =>
      new Promise<number | string>((resolve) => {
        const ws = new WebSocket(`wss://127.0.0.1:${novncPort}/websockify?token=${t}`, ["binary"], { ca: ca() });
        ws.on("open", () => {
          ws.terminate();
          resolve(101);
        });
        ws.on("unexpected-response", (_req, res) => {
          resolve(res.statusCode ?? 0);
          ws.terminate();
        });
        ws.on("error", (e: NodeJS.ErrnoException) => resolve(e.code ?? e.message));
      });
    // The fake driver's guest has no VNC server behind its port: a valid token gets past the check (101, or
    // 502 when the guest's port is closed); an unknown one is refused with 403 — both over wss.
    expect([101, 502]).toContain(await upgrade(token as string));
    expect(await upgrade("0".repeat(32))).toBe(403);
  });
});
