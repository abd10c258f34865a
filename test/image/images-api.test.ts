import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Glance, client, startGlance } from "./helpers.js";

let g: Glance;
beforeAll(async () => {
  g = await startGlance();
});
afterAll(() => g.close());

describe("version discovery", () => {
  it("answers 300 with the v2 versions at / and 200 at /versions, without a token", async () => {
    const root = await fetch(`${g.base}/`);
    expect(root.status).toBe(300);
    const doc = (await root.json()) as { versions: Array<{ id: string; status: string; links: Array<{ href: string }> }> };
    expect(doc.versions[0]).toMatchObject({ id: "v2.15", status: "CURRENT" });
    expect(doc.versions.map((v) => v.id)).toContain("v2.0");
    expect(doc.versions[0]?.links[0]?.href).toBe(`${g.base}/v2/`);
    expect((await fetch(`${g.base}/versions`)).status).toBe(200);
  });

  it("serves the image and images schemas", async () => {
    const c = client(g.base, "demo:p1");
    const image = await c.get("/v2/schemas/image");
    expect(image.json.name).toBe("image");
    expect(image.json.properties.disk_format.enum).toContain("qcow2");
    expect(image.json.additionalProperties).toEqual({ type: "string" });
    const images = await c.get("/v2/schemas/images");
    expect(images.json.properties.images.items.name).toBe("image");
  });

  it("rejects /v2 calls without a token (401)", async () => {
    expect((await fetch(`${g.base}/v2/images`)).status).toBe(401);
  });
});

describe("create, show, delete", () => {
  it("creates a queued image owned by the caller's project, with Location and Glance's fields", async () => {
    const c = client(g.base, "demo:p1");
    const r = await c.post("/v2/images", {
      name: "cirros",
      disk_format: "qcow2",
      container_format: "bare",
      hw_disk_bus: "scsi",
      tags: ["a", "b"],
    });
    expect(r.status).toBe(201);
    const img = r.json;
    expect(r.headers.get("location")).toBe(`${g.base}/v2/images/${img.id}`);
    expect(img).toMatchObject({
      name: "cirros",
      status: "queued",
      visibility: "shared",
      owner: "p1",
      protected: false,
      min_disk: 0,
      min_ram: 0,
      size: null,
      checksum: null,
      hw_disk_bus: "scsi",
      tags: ["a", "b"],
      self: `/v2/images/${img.id}`,
      file: `/v2/images/${img.id}/file`,
      schema: "/v2/schemas/image",
    });
    expect(img.created_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect((await c.get(`/v2/images/${img.id}`)).json.id).toBe(img.id);
  });

  it("refuses bad formats, bad values and read-only attributes in Glance's words", async () => {
    const c = client(g.base, "demo:p1");
    const bad = await c.post("/v2/images", { name: "x", disk_format: "qcow3" });
    expect(bad.status).toBe(400);
    expect(bad.headers.get("content-type")).toContain("text/plain");
    expect(bad.text).toContain("Provided object does not match schema 'image': 'qcow3' is not one of [None, 'ami'");
    const cf = await c.post("/v2/images", { container_format: "tarball" });
    expect(cf.status).toBe(400);
    expect(cf.text).toContain("'tarball' is not one of");
    const ram = await c.post("/v2/images", { min_ram: -1 });
    expect(ram.status).toBe(400);
    expect(ram.text).toContain("-1 is less than the minimum of 0");
    const prop = await c.post("/v2/images", { hw_numa_nodes: 2 });
    expect(prop.status).toBe(400);
    expect(prop.text).toContain("2 is not of type 'string'");
    const ro = await c.post("/v2/images", { status: "active" });
    expect(ro.status).toBe(403);
    expect(ro.text).toContain("Attribute 'status' is read-only.");
    const notJson = await c.post("/v2/images", "{nope");
    expect(notJson.status).toBe(400);
  });

  it("refuses a duplicate id (409) and another project's owner (403)", async () => {
    const c = client(g.base, "demo:p1");
    const id = "2b3b7e8c-2a55-4bde-9e3d-4d0a1d2f3c11";
    expect((await c.post("/v2/images", { id })).status).toBe(201);
    const dup = await c.post("/v2/images", { id });
    expect(dup.status).toBe(409);
    const other = await c.post("/v2/images", { owner: "p2" });
    expect(other.status).toBe(403);
    expect(other.text).toContain("You are not permitted to create images owned by 'p2'.");
  });

  it("keeps protected images (403) and deletes others (204, then 404)", async () => {
    const c = client(g.base, "demo:p1");
    const img = await c.create({ name: "keep", protected: true });
    const refused = await c.del(`/v2/images/${img.id}`);
    expect(refused.status).toBe(403);
    expect(refused.text).toContain(`Image ${img.id} is protected and cannot be deleted.`);
    expect((await c.patch(`/v2/images/${img.id}`, [{ op: "replace", path: "/protected", value: false }])).status).toBe(200);
    expect((await c.del(`/v2/images/${img.id}`)).status).toBe(204);
    const gone = await c.get(`/v2/images/${img.id}`);
    expect(gone.status).toBe(404);
    expect(gone.text).toContain(`No image found with ID ${img.id}`);
  });
});

describe("PATCH (openstack-images-v2.1-json-patch)", () => {
  it("adds, replaces and removes attributes and properties", async () => {
    const c = client(g.base, "demo:p1");
    const img = await c.create({ name: "before", os_distro: "cirros" });
    const r = await c.patch(`/v2/images/${img.id}`, [
      { op: "replace", path: "/name", value: "after" },
      { op: "add", path: "/hw_rng_model", value: "virtio" },
      { op: "remove", path: "/os_distro" },
      { op: "replace", path: "/min_ram", value: 512 },
      { op: "add", path: "/tags", value: ["x"] },
    ]);
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({ name: "after", hw_rng_model: "virtio", min_ram: 512, tags: ["x"] });
    expect(r.json.os_distro).toBeUndefined();
    expect((await c.get(`/v2/images/${img.id}`)).json.hw_rng_model).toBe("virtio");
  });

  it("answers 415 for another content type, 403 for read-only paths, 409 for missing properties", async () => {
    const c = client(g.base, "demo:p1");
    const img = await c.create({ name: "p" });
    const wrongType = await c.call("PATCH", `/v2/images/${img.id}`, [{ op: "replace", path: "/name", value: "x" }]);
    expect(wrongType.status).toBe(415);
    expect(wrongType.headers.get("accept-patch")).toContain("application/openstack-images-v2.1-json-patch");
    for (const path of ["/status", "/checksum", "/size", "/id"]) {
      const ro = await c.patch(`/v2/images/${img.id}`, [{ op: "replace", path, value: "x" }]);
      expect(ro.status).toBe(403);
      expect(ro.text).toContain(`Attribute '${path.slice(1)}' is read-only.`);
    }
    const missing = await c.patch(`/v2/images/${img.id}`, [{ op: "remove", path: "/nothere" }]);
    expect(missing.status).toBe(409);
    expect(missing.text).toContain("Property nothere does not exist.");
    const base = await c.patch(`/v2/images/${img.id}`, [{ op: "remove", path: "/name" }]);
    expect(base.status).toBe(403);
    const badOp = await c.patch(`/v2/images/${img.id}`, [{ op: "move", path: "/name", value: "x" }]);
    expect(badOp.status).toBe(400);
    const badFormat = await c.patch(`/v2/images/${img.id}`, [{ op: "replace", path: "/disk_format", value: "floppy" }]);
    expect(badFormat.status).toBe(400);
  });

  it("lets another project neither modify (403 by policy) nor see (404) a private image", async () => {
    const c = client(g.base, "demo:p1");
    const shared = await c.create({ name: "mine" });
    const priv = await c.create({ name: "secret", visibility: "private" });
    const other = client(g.base, "eve:p2");
    expect((await other.get(`/v2/images/${priv.id}`)).status).toBe(404);
    expect((await other.patch(`/v2/images/${priv.id}`, [{ op: "replace", path: "/name", value: "x" }])).status).toBe(404);
    // Admins see and change everything.
    const admin = client(g.base, "admin:admin");
    const r = await admin.patch(`/v2/images/${shared.id}`, [{ op: "replace", path: "/name", value: "renamed" }]);
    expect(r.status).toBe(200);
  });
});

describe("list: filters, sorting, pagination", () => {
  it("pages with limit/marker and next links until the end, without repeats", async () => {
    const c = client(g.base, "pager:pp");
    const made: string[] = [];
    for (let i = 0; i < 7; i++) made.push((await c.create({ name: `page-${i}`, tags: i % 2 ? ["odd"] : [] })).id);
    const seen: string[] = [];
    let next: string | undefined = "/v2/images?limit=3&sort=name:asc";
    let pages = 0;
    while (next && pages < 10) {
      const r = await c.get(next);
      expect(r.status).toBe(200);
      expect(r.json.schema).toBe("/v2/schemas/images");
      expect(r.json.first).toBe("/v2/images?limit=3&sort=name%3Aasc");
      seen.push(...r.json.images.map((i: { name: string }) => i.name));
      next = r.json.next;
      pages++;
    }
    expect(seen).toEqual(made.map((_, i) => `page-${i}`));
    expect(pages).toBe(3);
  });

  it("sorts with sort_key/sort_dir and filters by name, tag, property, size and status", async () => {
    const c = client(g.base, "filter:pf");
    await c.create({ name: "b-img", tags: ["blue"], hw_machine_type: "q35" });
    await c.create({ name: "a-img", tags: ["blue", "green"] });
    await c.create({ name: "c-img", visibility: "private" });
    const names = async (q: string) => ((await c.get(`/v2/images?${q}`)).json.images as Array<{ name: string }>).map((i) => i.name);
    expect(await names("sort_key=name&sort_dir=asc")).toEqual(["a-img", "b-img", "c-img"]);
    expect(await names("sort_key=name&sort_dir=desc")).toEqual(["c-img", "b-img", "a-img"]);
    expect(await names("sort=name:desc")).toEqual(["c-img", "b-img", "a-img"]);
    expect(await names("name=b-img")).toEqual(["b-img"]);
    expect(await names("tag=blue&sort=name:asc")).toEqual(["a-img", "b-img"]);
    expect(await names("tag=blue&tag=green")).toEqual(["a-img"]);
    expect(await names("hw_machine_type=q35")).toEqual(["b-img"]);
    expect(await names("visibility=private")).toEqual(["c-img"]);
    expect(await names("status=active")).toEqual([]);
    expect(await names("size_min=1")).toEqual([]);
    expect(await names('name=in:"a-img",c-img&sort=name:asc')).toEqual(["a-img", "c-img"]);
  });

  it("answers 400 for bad list parameters", async () => {
    const c = client(g.base, "filter:pf");
    const cases: Array<[string, string]> = [
      ["limit=abc", "limit param must be an integer"],
      ["limit=-1", "limit param must be positive"],
      ["sort_key=flavor", "Invalid sort key: flavor"],
      ["sort_dir=sideways", "Invalid sort direction: sideways"],
      ["marker=00000000-0000-0000-0000-000000000000", "Invalid marker"],
      ["visibility=everyone", "Invalid visibility value: everyone"],
      ["sort=name&sort_key=name", "cannot be combined"],
      ["size_min=big", "non-numeric"],
    ];
    for (const [q, msg] of cases) {
      const r = await c.get(`/v2/images?${q}`);
      expect(r.status, q).toBe(400);
      expect(r.text, q).toContain(msg);
    }
  });
});

describe("tags", () => {
  it("adds (idempotently) and removes a tag; removing a missing one is 404", async () => {
    const c = client(g.base, "demo:p1");
    const img = await c.create({ name: "tagged" });
    expect((await c.put(`/v2/images/${img.id}/tags/web`)).status).toBe(204);
    expect((await c.put(`/v2/images/${img.id}/tags/web`)).status).toBe(204);
    expect((await c.get(`/v2/images/${img.id}`)).json.tags).toEqual(["web"]);
    expect((await c.del(`/v2/images/${img.id}/tags/web`)).status).toBe(204);
    expect((await c.del(`/v2/images/${img.id}/tags/web`)).status).toBe(404);
  });
});
