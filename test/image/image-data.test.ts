import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Glance, client, digests, patternStream, startGlance, streamDownload, streamUpload } from "./helpers.js";

const MiB = 1024 * 1024;
let g: Glance;
beforeAll(async () => {
  // A 6 MiB cap keeps the oversize test quick.
  g = await startGlance(["glance.image_size_cap=6291456"]);
});
afterAll(() => g.close());

describe("upload and download", () => {
  it("streams 4 MiB in, marks the image active with md5/sha512/size, and streams the same bytes out", async () => {
    const c = client(g.base, "demo:p1");
    const img = await c.create({ name: "blob", disk_format: "raw" });
    const expected = await digests(patternStream(4 * MiB));
    const up = await streamUpload(`${g.base}/v2/images/${img.id}/file`, "demo:p1", patternStream(4 * MiB));
    expect(up.status).toBe(204);
    const shown = (await c.get(`/v2/images/${img.id}`)).json;
    expect(shown).toMatchObject({
      status: "active",
      size: 4 * MiB,
      virtual_size: 4 * MiB,
      checksum: expected.md5,
      os_hash_algo: "sha512",
      os_hash_value: expected.sha512,
    });
    const down = await streamDownload(`${g.base}/v2/images/${img.id}/file`, "demo:p1");
    expect(down.status).toBe(200);
    expect(down.headers["content-md5"]).toBe(expected.md5);
    expect(down.headers["content-length"]).toBe(String(4 * MiB));
    expect(down).toMatchObject({ md5: expected.md5, sha512: expected.sha512, size: 4 * MiB });
    // A byte range is served as 206 with Content-Range.
    const part = await fetch(`${g.base}/v2/images/${img.id}/file`, { headers: { "x-auth-token": "demo:p1", range: "bytes=10-19" } });
    expect(part.status).toBe(206);
    expect(part.headers.get("content-range")).toBe(`bytes 10-19/${4 * MiB}`);
    expect((await part.arrayBuffer()).byteLength).toBe(10);
  });

  it("reads a qcow2 header's virtual size", async () => {
    const c = client(g.base, "demo:p1");
    const img = await c.create({ name: "q" });
    const header = Buffer.alloc(1024);
    header.writeUInt32BE(0x514649fb, 0);
    header.writeUInt32BE(3, 4);
    header.writeBigUInt64BE(BigInt(1 << 30), 24);
    const r = await fetch(`${g.base}/v2/images/${img.id}/file`, {
      method: "PUT",
      headers: { "x-auth-token": "demo:p1", "content-type": "application/octet-stream" },
      body: header,
    });
    expect(r.status).toBe(204);
    expect((await c.get(`/v2/images/${img.id}`)).json).toMatchObject({ size: 1024, virtual_size: 1 << 30 });
  });

  it("answers 204 for an image without data, 415 for a wrong content type, 400 without formats, 409 when already active", async () => {
    const c = client(g.base, "demo:p1");
    const img = await c.create({ name: "empty" });
    const none = await fetch(`${g.base}/v2/images/${img.id}/file`, { headers: { "x-auth-token": "demo:p1" } });
    expect(none.status).toBe(204);
    const wrongType = await fetch(`${g.base}/v2/images/${img.id}/file`, {
      method: "PUT",
      headers: { "x-auth-token": "demo:p1", "content-type": "application/json" },
      body: "{}",
    });
    expect(wrongType.status).toBe(415);
    const noFormats = (await c.post("/v2/images", { name: "nf" })).json;
    const nf = await streamUpload(`${g.base}/v2/images/${noFormats.id}/file`, "demo:p1", patternStream(10));
    expect(nf.status).toBe(400);
    expect(nf.text).toContain("must be set prior to saving data");
    expect((await streamUpload(`${g.base}/v2/images/${img.id}/file`, "demo:p1", patternStream(100))).status).toBe(204);
    const again = await streamUpload(`${g.base}/v2/images/${img.id}/file`, "demo:p1", patternStream(100));
    expect(again.status).toBe(409);
    expect(again.text).toContain("Image status transition from active to saving is not allowed");
  });

  it("refuses data over image_size_cap with 413 (declared or streamed) and puts the image back to queued", async () => {
    const c = client(g.base, "demo:p1");
    const img = await c.create({ name: "huge" });
    const declared = await streamUpload(`${g.base}/v2/images/${img.id}/file`, "demo:p1", patternStream(7 * MiB), { length: 7 * MiB });
    expect(declared.status).toBe(413);
    const streamed = await streamUpload(`${g.base}/v2/images/${img.id}/file`, "demo:p1", patternStream(7 * MiB));
    expect(streamed.status).toBe(413);
    const after = (await c.get(`/v2/images/${img.id}`)).json;
    expect(after.status).toBe("queued");
    expect(after.size).toBeNull();
    // The failed attempts left nothing behind: a normal upload still works.
    expect((await streamUpload(`${g.base}/v2/images/${img.id}/file`, "demo:p1", patternStream(MiB))).status).toBe(204);
  });

  it("lets exactly one of two concurrent uploads win (the other gets 409)", async () => {
    const c = client(g.base, "demo:p1");
    const img = await c.create({ name: "race" });
    const url = `${g.base}/v2/images/${img.id}/file`;
    const results = await Promise.all([
      streamUpload(url, "demo:p1", patternStream(2 * MiB)),
      streamUpload(url, "demo:p1", patternStream(2 * MiB)),
    ]);
    expect(results.map((r) => r.status).sort()).toEqual([204, 409]);
    const shown = (await c.get(`/v2/images/${img.id}`)).json;
    expect(shown).toMatchObject({ status: "active", size: 2 * MiB });
    const down = await streamDownload(url, "demo:p1");
    expect(down.md5).toBe(shown.checksum);
  });

  it("deactivates: non-admins may no longer download (403), admins may; reactivate restores it", async () => {
    const c = client(g.base, "demo:p1");
    const img = await c.create({ name: "deact" });
    const queued = await c.post(`/v2/images/${img.id}/actions/deactivate`);
    expect(queued.status).toBe(403);
    expect(queued.text).toContain("Not allowed to deactivate image in status 'queued'");
    await streamUpload(`${g.base}/v2/images/${img.id}/file`, "demo:p1", patternStream(1000));
    expect((await c.post(`/v2/images/${img.id}/actions/deactivate`)).status).toBe(204);
    expect((await c.get(`/v2/images/${img.id}`)).json.status).toBe("deactivated");
    const denied = await fetch(`${g.base}/v2/images/${img.id}/file`, { headers: { "x-auth-token": "demo:p1" } });
    expect(denied.status).toBe(403);
    expect(await denied.text()).toContain("The requested image has been deactivated. Image data download is forbidden.");
    const admin = await streamDownload(`${g.base}/v2/images/${img.id}/file`, "admin:admin");
    expect(admin.status).toBe(200);
    expect(admin.size).toBe(1000);
    expect((await c.post(`/v2/images/${img.id}/actions/reactivate`)).status).toBe(204);
    expect((await c.get(`/v2/images/${img.id}`)).json.status).toBe("active");
    expect((await streamDownload(`${g.base}/v2/images/${img.id}/file`, "demo:p1")).status).toBe(200);
  });
});

describe("interoperable import", () => {
  it("lists the import methods", async () => {
    const r = await client(g.base, "demo:p1").get("/v2/info/import");
    expect(r.json["import-methods"].value).toEqual(["glance-direct", "web-download"]);
  });

  it("stages data (uploading), imports it with glance-direct (202), and the image turns active", async () => {
    const c = client(g.base, "demo:p1");
    const img = await c.create({ name: "imported" });
    const early = await c.post(`/v2/images/${img.id}/import`, { method: { name: "glance-direct" } });
    expect(early.status).toBe(409);
    expect(early.text).toContain("Image needs to be staged before 'glance-direct' method can be used");
    const expected = await digests(patternStream(MiB));
    expect((await streamUpload(`${g.base}/v2/images/${img.id}/stage`, "demo:p1", patternStream(MiB))).status).toBe(204);
    expect((await c.get(`/v2/images/${img.id}`)).json.status).toBe("uploading");
    expect((await c.post(`/v2/images/${img.id}/import`, { method: { name: "glance-direct" } })).status).toBe(202);
    let status = "";
    for (let i = 0; i < 50 && status !== "active"; i++) {
      status = (await c.get(`/v2/images/${img.id}`)).json.status;
      if (status !== "active") await new Promise((r) => setTimeout(r, 50));
    }
    const shown = (await c.get(`/v2/images/${img.id}`)).json;
    expect(shown).toMatchObject({ status: "active", checksum: expected.md5, os_hash_value: expected.sha512, size: MiB });
    expect((await streamDownload(`${g.base}/v2/images/${img.id}/file`, "demo:p1")).sha512).toBe(expected.sha512);
  });

  it("refuses web-download with a clear 400 and unknown methods", async () => {
    const c = client(g.base, "demo:p1");
    const img = await c.create({ name: "web" });
    const web = await c.post(`/v2/images/${img.id}/import`, { method: { name: "web-download", uri: "https://example.com/cirros.img" } });
    expect(web.status).toBe(400);
    expect(web.text).toContain("URI for web-download does not pass filtering: https://example.com/cirros.img");
    const other = await c.post(`/v2/images/${img.id}/import`, { method: { name: "copy-image" } });
    expect(other.status).toBe(400);
    expect((await c.get(`/v2/images/${img.id}`)).json.status).toBe("queued");
  });
});
