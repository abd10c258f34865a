import { readdirSync } from "node:fs";
import { request } from "node:http";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Glance, client, digests, patternStream, startGlance, streamDownload, streamUpload } from "./helpers.js";

const MiB = 1024 * 1024;
let g: Glance;
beforeAll(async () => {
  g = await startGlance(["glance.limit_param_default=3", "glance.api_limit_max=5"]);
});
afterAll(() => g.close());

const until = async (what: string, check: () => Promise<boolean>, ms = 10_000) => {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
};

/** Every file in the image store and its staging area (temporary `.part-…` files included). */
const storeFiles = () => [
  ...readdirSync(join(g.dir, "images")).filter((f) => f !== "staging"),
  ...readdirSync(join(g.dir, "images", "staging")),
];

describe("an upload the client abandons", () => {
  it("leaves the image queued, no file (not even a partial one), and a later upload works", async () => {
    const c = client(g.base, "demo:p1");
    const img = await c.create({ name: "abandoned", disk_format: "raw" });
    const req = request(`${g.base}/v2/images/${img.id}/file`, {
      method: "PUT",
      headers: { "x-auth-token": "demo:p1", "content-type": "application/octet-stream", "content-length": String(64 * MiB) },
    });
    req.on("error", () => undefined);
    req.write(Buffer.alloc(2 * MiB, 1));
    // The server is receiving (saving, a temporary file exists) when the client goes away.
    await until("saving", async () => (await c.get(`/v2/images/${img.id}`)).json.status === "saving");
    await until("a temporary file", async () => storeFiles().some((f) => f.startsWith(`${img.id}.part-`)));
    req.destroy();

    await until("queued again", async () => (await c.get(`/v2/images/${img.id}`)).json.status === "queued");
    await until("the partial file removed", async () => storeFiles().length === 0);
    const shown = (await c.get(`/v2/images/${img.id}`)).json;
    expect(shown).toMatchObject({ status: "queued", size: null, checksum: null });
    expect((await c.get("/v2/images?status=active")).json.images).toEqual([]);
    const noData = await fetch(`${g.base}/v2/images/${img.id}/file`, { headers: { "x-auth-token": "demo:p1" } });
    expect(noData.status).toBe(204);

    const expected = await digests(patternStream(MiB));
    expect((await streamUpload(`${g.base}/v2/images/${img.id}/file`, "demo:p1", patternStream(MiB))).status).toBe(204);
    expect(storeFiles()).toEqual([img.id]);
    const down = await streamDownload(`${g.base}/v2/images/${img.id}/file`, "demo:p1");
    expect(down).toMatchObject({ md5: expected.md5, sha512: expected.sha512, size: MiB });
    await c.del(`/v2/images/${img.id}`);
    expect(storeFiles()).toEqual([]);
  });

  it("an abandoned staging upload (glance-direct) goes back to queued without a staged file", async () => {
    const c = client(g.base, "demo:p1");
    const img = await c.create({ name: "abandoned-stage" });
    const req = request(`${g.base}/v2/images/${img.id}/stage`, {
      method: "PUT",
      headers: { "x-auth-token": "demo:p1", "content-type": "application/octet-stream" },
    });
    req.on("error", () => undefined);
    req.write(Buffer.alloc(MiB, 2));
    await until("uploading", async () => (await c.get(`/v2/images/${img.id}`)).json.status === "uploading");
    req.destroy();
    await until("queued again", async () => (await c.get(`/v2/images/${img.id}`)).json.status === "queued");
    await until("no staged file", async () => storeFiles().length === 0);
    await c.del(`/v2/images/${img.id}`);
  });
});

describe("bad requests get Glance's 400 body", () => {
  const glanceBody = (text: string, message: string) => expect(text).toBe(`400 Bad Request\n\n${message}\n\n   `);

  it("refuses JSON-patch paths that are not a pointer to one attribute", async () => {
    const c = client(g.base, "demo:p1");
    const img = await c.create({ name: "patchy" });
    const cases: Array<[unknown, string]> = [
      ["name", 'Pointer `name` does not start with "/".'],
      ["/name/", 'Pointer `/name/` end with "/".'],
      ["/hw_a//b", 'Pointer `/hw_a//b` contains adjacent "/".'],
      ["/na~2me", 'Pointer `/na~2me` contains "~" not part of a recognized escape sequence.'],
      ["/hw_a/b", "Invalid JSON pointer for this resource: '/hw_a/b'"],
      [42, "Unable to find 'path' in JSON Schema change"],
    ];
    for (const [path, message] of cases) {
      const r = await c.patch(`/v2/images/${img.id}`, [{ op: "replace", path, value: "x" }]);
      expect(r.status, String(path)).toBe(400);
      expect(r.headers.get("content-type")).toContain("text/plain");
      glanceBody(r.text, message);
    }
    // Like Glance, leading slashes collapse: `//name` is `/name`.
    expect((await c.patch(`/v2/images/${img.id}`, [{ op: "replace", path: "//name", value: "patchy" }])).status).toBe(200);
    const noPath = await c.patch(`/v2/images/${img.id}`, [{ op: "add", value: "x" }]);
    expect(noPath.status).toBe(400);
    glanceBody(noPath.text, "Unable to find 'path' in JSON Schema change");
    const badOp = await c.patch(`/v2/images/${img.id}`, [{ op: "copy", path: "/name" }]);
    glanceBody(badOp.text, "Invalid operation: `copy`. It must be one of the following: add, remove, replace.");
    const notList = await c.patch(`/v2/images/${img.id}`, { op: "add" } as unknown as unknown[]);
    expect(notList.status).toBe(400);
    // Nothing was applied.
    expect((await c.get(`/v2/images/${img.id}`)).json.name).toBe("patchy");
  });

  it("refuses unknown disk and container formats, on create and on patch", async () => {
    const c = client(g.base, "demo:p1");
    const disk = await c.post("/v2/images", { name: "f", disk_format: "floppy" });
    expect(disk.status).toBe(400);
    expect(disk.text).toMatch(/^400 Bad Request\n\nProvided object does not match schema 'image': 'floppy' is not one of \[None, 'ami', /);
    const container = await c.post("/v2/images", { name: "f", container_format: "zip" });
    expect(container.status).toBe(400);
    expect(container.text).toContain("'zip' is not one of");
    const img = await c.create({ name: "fmt" });
    const patched = await c.patch(`/v2/images/${img.id}`, [{ op: "replace", path: "/container_format", value: "zip" }]);
    expect(patched.status).toBe(400);
    expect(patched.text).toMatch(/^400 Bad Request\n\n.*'zip' is not one of/);
  });
});

describe("pagination", () => {
  it("pages by limit_param_default, caps limit at api_limit_max, and follows next links to the end", async () => {
    const c = client(g.base, "pages:pq");
    const ids: string[] = [];
    for (let i = 0; i < 7; i++) ids.push((await c.create({ name: `pg-${i}` })).id);
    // No limit: limit_param_default (3) per page, newest first (created_at desc, then id).
    const first = (await c.get("/v2/images")).json;
    expect(first.images).toHaveLength(3);
    expect(first.next).toBe(`/v2/images?marker=${first.images[2].id}`);
    // A limit over api_limit_max (5) is capped.
    const capped = (await c.get("/v2/images?limit=100&sort=name:asc")).json;
    expect(capped.images.map((i: { name: string }) => i.name)).toEqual(["pg-0", "pg-1", "pg-2", "pg-3", "pg-4"]);
    const rest = (await c.get(capped.next)).json;
    expect(rest.images.map((i: { name: string }) => i.name)).toEqual(["pg-5", "pg-6"]);
    expect(rest.next).toBeUndefined();
    // Walking the default pages visits every image once.
    const seen: string[] = [];
    let next: string | undefined = "/v2/images";
    for (let pages = 0; next && pages < 10; pages++) {
      const page = (await c.get(next)).json;
      seen.push(...page.images.map((i: { id: string }) => i.id));
      next = page.next;
    }
    expect(seen.sort()).toEqual([...ids].sort());
  });
});
