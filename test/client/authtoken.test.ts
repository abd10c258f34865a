import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Session } from "../../src/client/session.js";
import "../../src/engine/common/auth/index.js";
import { authtokenFilter } from "../../src/engine/common/auth/authtoken.js";
import type { TokenValidator } from "../../src/engine/common/auth/token-validator.js";
import { loadConfig } from "../../src/engine/common/config/config.js";
import "../../src/engine/common/http/filters.js";
import { loadAppFromString } from "../../src/engine/common/http/paste.js";
import { registerApp } from "../../src/engine/common/http/registry.js";
import { serve } from "../../src/engine/common/http/server.js";
import { type App, json } from "../../src/engine/common/http/types.js";
import { type KeystoneHandle, startKeystone } from "../helpers/keystone.js";

// The app behind the filters shows what it was handed: identity headers and the request context.
const echo: App = async (req) =>
  json(200, {
    headers: Object.fromEntries(Object.entries(req.headers).filter(([k]) => k.startsWith("x-") && k !== "x-auth-token")),
    context: req.environ.context,
  });
registerApp("test.echo", () => echo);

let ks: KeystoneHandle;
let admin: Session;
const servers: Server[] = [];

async function serveApp(app: App): Promise<string> {
  const s = await serve(app, 0);
  servers.push(s);
  return `http://127.0.0.1:${(s.address() as AddressInfo).port}`;
}

const local = () => ({ auth_url: `${ks.url}/v3`, username: "admin", password: ks.adminPassword, project_name: "admin" });
const global = { config: loadConfig(undefined, []), error_format: "nova" };

beforeAll(async () => {
  ks = await startKeystone();
  admin = new Session({
    auth: { auth_url: `${ks.url}/v3`, username: "admin", password: ks.adminPassword, project_name: "admin" },
    cache: false,
  });
}, 60_000);
afterAll(async () => {
  for (const s of servers) s.close();
  admin?.close();
  await ks?.stop();
});

describe("authtoken + keystonecontext in a paste pipeline", () => {
  let url: string;
  beforeAll(async () => {
    const l = local();
    const paste = `[pipeline:main]
pipeline = request_id authtoken keystonecontext echo
[filter:request_id]
paste.filter_factory = pocketstack.request_id
[filter:authtoken]
paste.filter_factory = pocketstack.authtoken
auth_url = ${l.auth_url}
username = admin
password = ${l.password}
project_name = admin
[filter:keystonecontext]
paste.filter_factory = pocketstack.keystonecontext
[app:echo]
paste.app_factory = test.echo
`;
    url = await serveApp(await loadAppFromString(paste, "main", global));
  });

  it("answers 401 with WWW-Authenticate and the service's error body without a token or with a bad one", async () => {
    for (const headers of [{}, { "x-auth-token": "gAAAAAnot-a-token" }]) {
      const res = await fetch(`${url}/servers`, { headers });
      expect(res.status).toBe(401);
      expect(res.headers.get("www-authenticate")).toBe(`Keystone uri="${ks.url}"`);
      expect(await res.json()).toEqual({ unauthorized: { code: 401, message: "The request you have made requires authentication." } });
    }
  });

  it("passes a valid token on with the identity headers and the request context, replacing forged ones", async () => {
    const ref = await admin.authRef();
    const res = await fetch(`${url}/servers`, { headers: { "x-auth-token": ref.token, "x-roles": "superuser", "x-user-id": "mallory" } });
    expect(res.status).toBe(200);
    const { headers, context } = (await res.json()) as { headers: Record<string, string>; context: Record<string, unknown> };
    expect(headers).toMatchObject({
      "x-identity-status": "Confirmed",
      "x-user-id": ref.userId,
      "x-user-name": "admin",
      "x-user-domain-id": "default",
      "x-project-id": ref.projectId,
      "x-project-name": "admin",
      "x-project-domain-id": "default",
    });
    expect(headers["x-roles"].split(",")).toContain("admin");
    expect(headers["x-roles"].split(",")).not.toContain("superuser");
    const catalog = JSON.parse(headers["x-service-catalog"]) as Array<{ type: string; endpoints: Array<Record<string, string>> }>;
    expect(catalog.find((s) => s.type === "identity")?.endpoints[0]).toMatchObject({ region: "RegionOne", publicURL: `${ks.url}/v3` });
    expect(context).toMatchObject({ user_id: ref.userId, project_id: ref.projectId, is_admin: true, user_name: "admin" });
    expect(String(context.request_id)).toMatch(/^req-/);
  });

  it("gives a system-scoped token X-System-Scope: all", async () => {
    const sys = new Session({
      auth: { auth_url: `${ks.url}/v3`, username: "admin", password: ks.adminPassword, system_scope: "all" },
      cache: false,
    });
    const res = await fetch(`${url}/servers`, { headers: { "x-auth-token": await sys.token() } });
    sys.close();
    const { headers, context } = (await res.json()) as { headers: Record<string, string>; context: Record<string, unknown> };
    expect(headers["x-system-scope"]).toBe("all");
    expect(headers["x-project-id"]).toBeUndefined();
    expect(context.system_scope).toBe("all");
  });
});

describe("authtoken caching and failures", () => {
  it("asks Keystone once per token within token_cache_time; with no cache a revoked token is refused at once", async () => {
    const cached = authtokenFilter(global, { ...local(), token_cache_time: "300" }) as ReturnType<typeof authtokenFilter> & {
      validator: TokenValidator;
    };
    const uncached = authtokenFilter(global, { ...local(), token_cache_time: "0" }) as ReturnType<typeof authtokenFilter> & {
      validator: TokenValidator;
    };
    const cachedUrl = await serveApp(cached(echo));
    const uncachedUrl = await serveApp(uncached(echo));
    const user = new Session({
      auth: { auth_url: `${ks.url}/v3`, username: "admin", password: ks.adminPassword, project_name: "admin" },
      cache: false,
    });
    const token = await user.token();
    for (let i = 0; i < 3; i++) expect((await fetch(`${cachedUrl}/x`, { headers: { "x-auth-token": token } })).status).toBe(200);
    expect(cached.validator.calls).toBe(1);
    for (let i = 0; i < 2; i++) expect((await fetch(`${uncachedUrl}/x`, { headers: { "x-auth-token": token } })).status).toBe(200);
    expect(uncached.validator.calls).toBe(2);

    await admin.delete("identity", "/auth/tokens", { headers: { "x-subject-token": token } });
    expect((await fetch(`${uncachedUrl}/x`, { headers: { "x-auth-token": token } })).status).toBe(401);
    // The cached answer stands until token_cache_time runs out, as with keystonemiddleware.
    expect((await fetch(`${cachedUrl}/x`, { headers: { "x-auth-token": token } })).status).toBe(200);
    user.close();
  });

  it("answers 503 when Keystone cannot be reached, and 503 when the service's own credentials are wrong", async () => {
    const down = authtokenFilter(global, { ...local(), auth_url: "http://127.0.0.1:1/v3" });
    const badCreds = authtokenFilter(global, { ...local(), password: "wrong" });
    for (const f of [down, badCreds]) {
      const u = await serveApp(f(echo));
      const res = await fetch(`${u}/x`, { headers: { "x-auth-token": "anything" } });
      expect(res.status).toBe(503);
      expect(await res.json()).toEqual({ serviceUnavailable: { code: 503, message: "The Keystone service is temporarily unavailable." } });
    }
  });
});
