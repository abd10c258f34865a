import { describe, expect, it } from "vitest";
import { keystonecontextFilter } from "../../src/engine/common/auth/keystonecontext.js";
import { noauth2Filter } from "../../src/engine/common/auth/noauth2.js";
import type { RequestContext } from "../../src/engine/common/context.js";
import { type App, type HttpRequest, json } from "../../src/engine/common/http/types.js";

const request = (headers: Record<string, string>): HttpRequest =>
  ({
    method: "GET",
    path: "/",
    scriptName: "",
    query: new URLSearchParams(),
    headers,
    environ: { request_id: "req-1" },
    params: {},
    body: async () => Buffer.alloc(0),
  }) as unknown as HttpRequest;
const seen: { ctx?: RequestContext; headers?: Record<string, unknown> } = {};
const app: App = async (req) => {
  seen.ctx = req.environ.context as RequestContext;
  seen.headers = { ...req.headers };
  return json(200, {});
};

describe("noauth2", () => {
  const pipeline = noauth2Filter({ error_format: "nova" })(app);
  it("trusts user:project, and gives the admin role only to 'admin'", async () => {
    expect((await pipeline(request({ "x-auth-token": "alice:demo" }))).status).toBe(200);
    expect(seen.ctx).toMatchObject({
      user_id: "alice",
      project_id: "demo",
      is_admin: false,
      roles: ["member", "reader"],
      request_id: "req-1",
    });
    await pipeline(request({ "x-auth-token": "admin", "x-roles": "forged" }));
    expect(seen.ctx).toMatchObject({ user_id: "admin", project_id: "admin", is_admin: true });
    expect(seen.headers?.["x-roles"]).toBe("admin,member,reader");
  });
  it("answers 401 in the service's format without a token", async () => {
    const res = await pipeline(request({}));
    expect(res.status).toBe(401);
    expect(JSON.parse(String(res.body))).toEqual({
      unauthorized: { code: 401, message: "The request you have made requires authentication." },
    });
  });
});

describe("keystonecontext", () => {
  const pipeline = keystonecontextFilter({ error_format: "keystone" })(app);
  it("builds the context from the identity headers", async () => {
    await pipeline(
      request({
        "x-user-id": "u",
        "x-project-id": "p",
        "x-roles": "reader,member",
        "x-is-admin-project": "False",
        "x-system-scope": "all",
        "x-auth-token": "t",
      }),
    );
    expect(seen.ctx).toMatchObject({
      user_id: "u",
      project_id: "p",
      roles: ["reader", "member"],
      is_admin: false,
      is_admin_project: false,
      system_scope: "all",
      auth_token: "t",
    });
  });
  it("refuses a request authtoken marked Invalid (delay_auth_decision)", async () => {
    const res = await pipeline(request({ "x-identity-status": "Invalid" }));
    expect(res.status).toBe(401);
  });
});
