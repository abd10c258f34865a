import { mkdtempSync, rmSync, statSync } from "node:fs";
import { type IncomingMessage, type Server, type ServerResponse, createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { ApiError } from "../../src/client/errors.js";
import { Session } from "../../src/client/session.js";
import { TokenCache } from "../../src/client/token-cache.js";

// A stand-in Keystone + service: counts token requests, lets a test decide token lifetimes and
// answers, and records the headers each service call carried.
let server: Server;
let base: string;
let posts = 0;
let lifetimeMs = 3600_000;
let valid = new Set<string>();
let seen: IncomingMessage["headers"][] = [];
let reply: ((req: IncomingMessage, res: ServerResponse) => boolean) | undefined;

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  res.writeHead(status, {
    "content-type": "application/json",
    "x-openstack-request-id": "req-11111111-2222-3333-4444-555555555555",
    ...headers,
  });
  res.end(JSON.stringify(body));
}

beforeAll(async () => {
  server = createServer((req, res) => {
    if (req.method === "POST" && req.url === "/v3/auth/tokens") {
      let body = "";
      req.on("data", (c) => (body += c));
      req.on("end", () => {
        posts++;
        const auth = JSON.parse(body).auth;
        if (auth.identity.password?.user?.password !== "right")
          return send(res, 401, {
            error: { code: 401, message: "The request you have made requires authentication.", title: "Unauthorized" },
          });
        const token = `tok-${posts}`;
        valid.add(token);
        send(
          res,
          201,
          {
            token: {
              user: { id: "u1", name: "alice", domain: { id: "default", name: "Default" } },
              project: { id: "p1", name: "demo", domain: { id: "default", name: "Default" } },
              roles: [{ id: "r1", name: "member" }],
              expires_at: new Date(Date.now() + lifetimeMs).toISOString(),
              catalog: [
                {
                  type: "compute",
                  name: "nova",
                  endpoints: [
                    { interface: "public", region_id: "RegionOne", region: "RegionOne", url: `${base}/compute/v2.1` },
                    { interface: "internal", region_id: "RegionTwo", region: "RegionTwo", url: `${base}/compute-r2/v2.1` },
                  ],
                },
              ],
            },
          },
          { "x-subject-token": token },
        );
      });
      return;
    }
    seen.push(req.headers);
    if (reply?.(req, res)) return;
    if (!valid.has(String(req.headers["x-auth-token"])))
      return send(res, 401, { error: { code: 401, message: "bad token", title: "Unauthorized" } });
    send(res, 200, { ok: true, url: req.url });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "ps-session-"));
  posts = 0;
  lifetimeMs = 3600_000;
  valid = new Set();
  seen = [];
  reply = undefined;
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const auth = (password = "right") => ({ auth_url: `${base}/v3`, username: "alice", password, project_name: "demo", interface: "public" });
const session = (password = "right") => new Session({ auth: auth(password), stateDir: dir });

describe("token cache", () => {
  it("a second session (a second CLI command) reuses the cached token; the file is private", async () => {
    const a = session();
    expect((await a.get("compute", "/servers")).body).toMatchObject({ ok: true, url: "/compute/v2.1/servers" });
    a.close();
    const b = session();
    await b.get("compute", "/flavors");
    b.close();
    expect(posts).toBe(1);
    const file = join(dir, "run", "token-cache.json");
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(seen.map((h) => h["x-auth-token"])).toEqual(["tok-1", "tok-1"]);
  });

  it("does not reuse a token close to its expiry, nor one obtained with another password or scope", async () => {
    lifetimeMs = 20_000; // inside the 30 s staleness margin
    await session().token();
    await session().token();
    expect(posts).toBe(2);
    lifetimeMs = 3600_000;
    await session().token();
    await session("wrong")
      .token()
      .catch(() => undefined);
    await new Session({ auth: { ...auth(), project_name: "other" }, stateDir: dir }).token();
    expect(posts).toBe(5);
  });

  it("expires entries by the clock it is given", () => {
    let now = 1_000_000;
    const cache = new TokenCache(join(dir, "c.json"), () => now);
    cache.put("k", { token: "t", expires_at: new Date(now + 60_000).toISOString(), body: {} });
    expect(cache.get("k")?.token).toBe("t");
    now += 31_000;
    expect(cache.get("k")).toBeUndefined();
  });

  it("on a 401 from a service it authenticates once more and retries", async () => {
    const s = session();
    await s.token();
    valid.clear(); // the token was revoked behind our back
    const res = await s.get("compute", "/servers");
    expect(res.status).toBe(200);
    expect(posts).toBe(2);
    // and a token that keeps being refused surfaces as the service's 401
    reply = (_req, res) => {
      send(res, 401, { error: { code: 401, message: "still no", title: "Unauthorized" } });
      return true;
    };
    await expect(s.get("compute", "/servers")).rejects.toThrow(/still no \(HTTP 401\)/);
    expect(posts).toBe(3);
  });
});

describe("requests", () => {
  it("picks endpoints by type, interface and region, and says which one is missing", async () => {
    const s = session();
    expect(await s.endpointFor("compute")).toBe(`${base}/compute/v2.1`);
    expect(await s.endpointFor("compute", { interface: "internal", region: "RegionTwo" })).toBe(`${base}/compute-r2/v2.1`);
    await expect(s.endpointFor("image")).rejects.toThrow("public endpoint for image service not found");
    await expect(s.endpointFor("compute", { region: "RegionTwo" })).rejects.toThrow(
      "public endpoint for compute service in RegionTwo region not found",
    );
    // identity is not in this catalog: the auth URL stands in for it
    expect(await s.endpointFor("identity")).toBe(`${base}/v3`);
  });

  it("sends microversion headers (and Nova's legacy one) with the token", async () => {
    await session().get("compute", "/servers", { microversion: "2.79", query: { all_tenants: 1, name: undefined } });
    expect(seen[0]).toMatchObject({
      "openstack-api-version": "compute 2.79",
      "x-openstack-nova-api-version": "2.79",
      "x-auth-token": "tok-1",
    });
  });

  it("turns every service's error body into one message with status and request id", async () => {
    const s = session();
    const cases: Array<[number, string, string, string]> = [
      [
        404,
        "application/json",
        JSON.stringify({ itemNotFound: { code: 404, message: "Flavor 42 could not be found." } }),
        "Flavor 42 could not be found.",
      ],
      [
        409,
        "application/json",
        JSON.stringify({ errors: [{ status: 409, title: "Conflict", detail: "Inventory in use.", code: "placement.inventory.inuse" }] }),
        "Inventory in use.",
      ],
      [
        404,
        "application/json",
        JSON.stringify({ error: { code: 404, message: "Could not find user: x.", title: "Not Found" } }),
        "Could not find user: x.",
      ],
      [404, "text/plain; charset=UTF-8", "404 Not Found\n\nNo image found with ID abc\n\n   ", "No image found with ID abc"],
    ];
    for (const [status, type, body, message] of cases) {
      reply = (_req, res) => {
        res.writeHead(status, { "content-type": type, "x-openstack-request-id": "req-abc" });
        res.end(body);
        return true;
      };
      const err = await s.get("compute", "/x").catch((e) => e);
      expect(err).toBeInstanceOf(ApiError);
      expect(err.message).toBe(`${message} (HTTP ${status}) (Request-ID: req-abc)`);
      expect(err.status).toBe(status);
    }
  });

  it("reports a wrong password with Keystone's own message", async () => {
    await expect(session("wrong").token()).rejects.toThrow(/^The request you have made requires authentication\. \(HTTP 401\)/);
  });

  it("reports a refused connection with the URL it tried", async () => {
    const s = new Session({ auth: { ...auth(), auth_url: "http://127.0.0.1:1/v3" }, cache: false });
    await expect(s.token()).rejects.toThrow(/Unable to establish connection to http:\/\/127\.0\.0\.1:1\/v3\/auth\/tokens/);
  });
});
