import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type GlanceBehindKeystone, adminToken, startGlanceBehindKeystone } from "./glance-keystone.js";

let s: GlanceBehindKeystone;
beforeAll(async () => {
  s = await startGlanceBehindKeystone();
}, 60_000);
afterAll(() => s?.stop());

/** Keystone as the admin: a project and a user holding only `role` on it; returns that user's project-scoped token. */
async function personaToken(admin: string, project: string, user: string, role: string): Promise<{ token: string; projectId: string }> {
  const ks = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${s.keystone.url}/v3${path}`, {
      method,
      headers: { "content-type": "application/json", "x-auth-token": admin },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
    return res.status === 204 ? undefined : ((await res.json()) as Record<string, any>);
  };
  const p = (await ks("POST", "/projects", { project: { name: project, domain_id: "default" } }))?.project;
  const u = (await ks("POST", "/users", { user: { name: user, domain_id: "default", password: "pw-12345" } }))?.user;
  const r = (await ks("GET", `/roles?name=${role}`))?.roles[0];
  await ks("PUT", `/projects/${p.id}/users/${u.id}/roles/${r.id}`);
  const res = await fetch(`${s.keystone.url}/v3/auth/tokens`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      auth: {
        identity: { methods: ["password"], password: { user: { id: u.id, password: "pw-12345" } } },
        scope: { project: { id: p.id } },
      },
    }),
  });
  const token = res.headers.get("x-subject-token");
  if (!token) throw new Error(`token for ${user}: ${res.status} ${await res.text()}`);
  return { token, projectId: p.id };
}

const glance =
  (token: string) =>
  async (method: string, path: string, body?: unknown, contentType = "application/json") => {
    const res = await fetch(`${s.glanceUrl}${path}`, {
      method,
      headers: { "x-auth-token": token, ...(body === undefined ? {} : { "content-type": contentType }) },
      body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, text, json: text.startsWith("{") ? JSON.parse(text) : undefined };
  };
const PATCH = "application/openstack-images-v2.1-json-patch";

describe("glance policy per Keystone role (real tokens through authtoken)", () => {
  it("reader, member and admin each get what Glance's defaults allow", { timeout: 60_000 }, async () => {
    const admin = await adminToken(s.keystone);
    const member = await personaToken(admin, "dev", "dana", "member");
    const reader = await personaToken(admin, "audit", "rita", "reader");
    const asAdmin = glance(admin);
    const asMember = glance(member.token);
    const asReader = glance(reader.token);

    // Without a token: 401 and where to get one.
    const anonymous = await fetch(`${s.glanceUrl}/v2/images`);
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get("www-authenticate")).toContain("Keystone uri=");

    // A member creates images in its project; a reader may not (add_image).
    const mine = await asMember("POST", "/v2/images", { name: "dev-img", disk_format: "raw", container_format: "bare" });
    expect(mine.status).toBe(201);
    expect(mine.json.owner).toBe(member.projectId);
    const readerCreate = await asReader("POST", "/v2/images", { name: "nope" });
    expect(readerCreate.status).toBe(403);
    expect(readerCreate.text).toContain("You are not authorized to complete add_image action.");

    // Only the admin publishes (publicize_image); then everyone sees it, the reader included.
    const publish = [{ op: "replace", path: "/visibility", value: "public" }];
    expect((await asMember("PATCH", `/v2/images/${mine.json.id}`, publish, PATCH)).status).toBe(403);
    const pub = await asAdmin("POST", "/v2/images", { name: "golden", visibility: "public", disk_format: "raw", container_format: "bare" });
    expect(pub.status).toBe(201);
    const readerList = await asReader("GET", "/v2/images");
    expect(readerList.status).toBe(200);
    const readerSees = readerList.json.images.map((i: { name: string }) => i.name);
    expect(readerSees).toContain("golden");
    expect(readerSees).not.toContain("dev-img");
    expect((await asReader("GET", `/v2/images/${mine.json.id}`)).status).toBe(404);
    // Others may look at a public image but not change or delete it.
    expect((await asMember("PATCH", `/v2/images/${pub.json.id}`, [{ op: "replace", path: "/name", value: "x" }], PATCH)).status).toBe(403);
    expect((await asMember("DELETE", `/v2/images/${pub.json.id}`)).status).toBe(403);

    // Sharing: the member shares with the reader's project, which sees it but (a reader) may not accept.
    expect(
      (await asMember("PATCH", `/v2/images/${mine.json.id}`, [{ op: "replace", path: "/visibility", value: "shared" }], PATCH)).status,
    ).toBe(200);
    const added = await asMember("POST", `/v2/images/${mine.json.id}/members`, { member: reader.projectId });
    expect(added.status).toBe(200);
    expect(added.json.status).toBe("pending");
    expect((await asReader("GET", `/v2/images/${mine.json.id}`)).status).toBe(200);
    const accept = await asReader("PUT", `/v2/images/${mine.json.id}/members/${reader.projectId}`, { status: "accepted" });
    expect(accept.status).toBe(403);
    // The admin sees every image.
    const all = (await asAdmin("GET", "/v2/images")).json.images.map((i: { name: string }) => i.name);
    expect(all).toEqual(expect.arrayContaining(["golden", "dev-img"]));
  });
});
