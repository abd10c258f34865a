import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type KeystoneHandle, startKeystone } from "../helpers/keystone.js";
import { adminProject, adminUser, call, login } from "./client.js";

// [token] provider = jws: the same API, tokens are ES256-signed JWTs.
let ks: KeystoneHandle;
beforeAll(async () => {
  ks = await startKeystone({ set: ["token.provider=jws"] });
});
afterAll(async () => {
  await ks?.stop();
});

describe("JWS token provider", () => {
  it("issues, validates and revokes JWS tokens", async () => {
    const a = await login(ks.url, adminUser, ks.adminPassword, adminProject);
    expect(a.res.status).toBe(201);
    expect(a.token.split(".")).toHaveLength(3);
    const b = await login(ks.url, adminUser, ks.adminPassword, { system: { all: true } });
    const v = await call(ks.url, "GET", "/v3/auth/tokens", { token: a.token, headers: { "x-subject-token": b.token } });
    expect(v.status).toBe(200);
    expect(v.body.token.system).toEqual({ all: true });
    expect((await call(ks.url, "DELETE", "/v3/auth/tokens", { token: a.token, headers: { "x-subject-token": b.token } })).status).toBe(204);
    expect((await call(ks.url, "GET", "/v3/auth/tokens", { token: a.token, headers: { "x-subject-token": b.token } })).status).toBe(404);
  });
});
