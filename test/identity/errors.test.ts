import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type KeystoneHandle, startKeystone } from "../helpers/keystone.js";
import { adminProject, adminUser, call, login } from "./client.js";

let ks: KeystoneHandle;
let admin: string;
beforeAll(async () => {
  ks = await startKeystone();
  admin = (await login(ks.url, adminUser, ks.adminPassword, adminProject)).token;
});
afterAll(async () => {
  await ks?.stop();
});

const UNAUTH = "The request you have made requires authentication.";

describe("Keystone error bodies", () => {
  it("wrong password: 401, Keystone's message and WWW-Authenticate", async () => {
    const { res } = await login(ks.url, adminUser, "not-the-password", adminProject);
    expect(res.status).toBe(401);
    expect(res.body).toEqual({ error: { code: 401, message: UNAUTH, title: "Unauthorized" } });
    expect(res.headers.get("www-authenticate")).toBe(`Keystone uri="${ks.url}"`);
  });

  it("unknown user and unknown scope project are the same 401 (nothing leaks)", async () => {
    expect((await login(ks.url, { name: "nobody", domain: { id: "default" } }, "x")).res.body.error.message).toBe(UNAUTH);
    const res = (await login(ks.url, adminUser, ks.adminPassword, { project: { id: "does-not-exist" } })).res;
    expect(res.status).toBe(401);
  });

  it("no token or a bad token on an API call: 401", async () => {
    const none = await call(ks.url, "GET", "/v3/projects");
    expect(none.status).toBe(401);
    expect(none.body.error.title).toBe("Unauthorized");
    expect((await call(ks.url, "GET", "/v3/projects", { token: "garbage" })).status).toBe(401);
  });

  it("malformed JSON: 400 naming the problem", async () => {
    const res = await call(ks.url, "POST", "/v3/auth/tokens", { raw: "{not json" });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe(400);
    expect(res.body.error.title).toBe("Bad Request");
    expect(res.body.error.message).toMatch(/valid JSON/);
    const proj = await call(ks.url, "POST", "/v3/projects", { token: admin, raw: "[1,2" });
    expect(proj.status).toBe(400);
  });

  it("missing fields: 400 saying which", async () => {
    const noAuth = await call(ks.url, "POST", "/v3/auth/tokens", { body: { nope: 1 } });
    expect(noAuth.status).toBe(400);
    expect(noAuth.body.error.message).toMatch(/'auth' is a required property/);
    const noMethods = await call(ks.url, "POST", "/v3/auth/tokens", { body: { auth: { identity: {} } } });
    expect(noMethods.status).toBe(400);
    expect(noMethods.body.error.message).toMatch(/methods/);
    const noName = await call(ks.url, "POST", "/v3/projects", { token: admin, body: { project: { description: "x" } } });
    expect(noName.status).toBe(400);
    expect(noName.body.error.message).toMatch(/'name' is a required property/);
    const noBody = await call(ks.url, "POST", "/v3/users", { token: admin, body: { usr: {} } });
    expect(noBody.status).toBe(400);
    expect(noBody.body.error.message).toMatch(/Expecting to find user in request body/);
    const wrongType = await call(ks.url, "POST", "/v3/projects", { token: admin, body: { project: { name: "p", enabled: "yes" } } });
    expect(wrongType.status).toBe(400);
    expect(wrongType.body.error.message).toMatch(/enabled/);
  });

  it("unknown ids: 404 'Could not find <kind>: <id>.'", async () => {
    const res = await call(ks.url, "GET", "/v3/projects/X", { token: admin });
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ error: { code: 404, message: "Could not find project: X.", title: "Not Found" } });
    expect((await call(ks.url, "GET", "/v3/users/nope", { token: admin })).body.error.message).toBe("Could not find user: nope.");
    expect((await call(ks.url, "GET", "/v3/roles/nope", { token: admin })).body.error.message).toBe("Could not find role: nope.");
    expect((await call(ks.url, "GET", "/v3/domains/nope", { token: admin })).body.error.message).toBe("Could not find domain: nope.");
    expect((await call(ks.url, "GET", "/v3/services/nope", { token: admin })).body.error.message).toBe("Could not find service: nope.");
  });

  it("duplicates: 409 Conflict", async () => {
    const a = await call(ks.url, "POST", "/v3/projects", { token: admin, body: { project: { name: "dup", domain_id: "default" } } });
    expect(a.status).toBe(201);
    const b = await call(ks.url, "POST", "/v3/projects", { token: admin, body: { project: { name: "dup", domain_id: "default" } } });
    expect(b.status).toBe(409);
    expect(b.body.error.message).toBe(
      "Conflict occurred attempting to store project - Duplicate entry found with name dup at domain ID default.",
    );
  });

  it("unknown path: 404; wrong method: 405 with Allow", async () => {
    expect((await call(ks.url, "GET", "/v3/nothing-here", { token: admin })).status).toBe(404);
    const m = await call(ks.url, "PUT", "/v3/projects", { token: admin });
    expect(m.status).toBe(405);
    expect(m.headers.get("allow")).toContain("GET");
  });
});
