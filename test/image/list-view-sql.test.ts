import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/engine/common/config/config.js";
import { createImageService } from "../../src/engine/image/app.js";
import type { Image } from "../../src/engine/image/repository.js";
import type { ImageService } from "../../src/engine/image/service.js";
import { imageView } from "../../src/engine/image/views.js";

/**
 * The list renders each image in SQL (db/image-view-sql.ts); show/create/PATCH render it in views.ts.
 * A client must get the same image from both, key order included.
 */
let dir: string;
let svc: ImageService;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "glance-view-sql-"));
  svc = createImageService(loadConfig(undefined, ["trace.enabled=false"]), dir);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const base: Omit<Image, "id" | "created_at" | "updated_at"> = {
  name: "plain",
  size: null,
  virtual_size: null,
  status: "queued",
  visibility: "shared",
  disk_format: null,
  container_format: null,
  checksum: null,
  os_hash_algo: null,
  os_hash_value: null,
  owner: "p1",
  min_disk: 0,
  min_ram: 0,
  protected: false,
  os_hidden: false,
  tags: [],
  properties: {},
};

const listAll = () =>
  svc.repo.listViews({
    viewer: { isAdmin: true },
    visibility: "all",
    memberStatus: "all",
    columns: {},
    ranges: [],
    properties: {},
    tags: [],
    osHidden: true,
    sort: [["name", "asc"]],
    limit: 1000,
  });

describe("the list's SQL-rendered image view", () => {
  it("equals imageView for nulls, booleans, numbers, tags, properties and awkward strings", () => {
    const images: Array<Partial<Image> & { id: string }> = [
      { id: "00000000-0000-0000-0000-000000000001" },
      {
        id: "00000000-0000-0000-0000-000000000002",
        name: 'quote " backslash \\ newline \n tab \t nul-ish \u0001 del \u007f é 雪 😀 \u2028',
        status: "active",
        visibility: "public",
        disk_format: "qcow2",
        container_format: "bare",
        size: 268435456,
        virtual_size: 1073741824,
        checksum: "d41d8cd98f00b204e9800998ecf8427e",
        os_hash_algo: "sha512",
        os_hash_value: "ab".repeat(64),
        min_disk: 1,
        min_ram: 512,
        protected: true,
        os_hidden: true,
        tags: ["b", "a", "with space", "ü"],
        properties: { os_distro: "cirros", hw_disk_bus: "virtio", zeta: "", 'x"y': "q\\r", alpha: "1", constructor: "c", toString: "t" },
      },
      {
        id: "00000000-0000-0000-0000-000000000003",
        name: null,
        owner: null,
        tags: ["only"],
        properties: { "123": "numeric key", "7": "x" },
      },
    ];
    for (const img of images) svc.repo.create({ ...base, ...img } as Omit<Image, "created_at" | "updated_at">);
    // A property may never shadow a base attribute (the API refuses to set them; the view skips them).
    svc.repo.update(images[0]!.id, {}, { setProperties: { self: "shadow", status: "shadow", kept: "yes" } });

    const rows = listAll();
    expect(rows).toHaveLength(images.length);
    for (const [id, text] of rows) {
      const fromSql = JSON.parse(text);
      const fromJs = JSON.parse(JSON.stringify(imageView(svc.repo.get(id) as Image)));
      expect(fromSql).toEqual(fromJs);
      expect(Object.keys(fromSql)).toEqual(Object.keys(fromJs));
    }
    const second = JSON.parse(rows.find(([id]) => id.endsWith("2"))![1]);
    expect(second.protected).toBe(true);
    expect(second.constructor).toBe("c");
    expect(second.created_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    const first = JSON.parse(rows.find(([id]) => id.endsWith("1"))![1]);
    expect(first.self).toBe(`/v2/images/${first.id}`);
    expect(first.kept).toBe("yes");
  });

  it("shows every change on the next list, though views are kept between lists", () => {
    const id = "00000000-0000-0000-0000-0000000000aa";
    svc.repo.create({ ...base, id, name: "cached", tags: ["t1"], properties: { p1: "v1" } } as Omit<Image, "created_at" | "updated_at">);
    const listed = () => JSON.parse(listAll().find(([i]) => i === id)?.[1] ?? "null");
    const shown = () => JSON.parse(JSON.stringify(imageView(svc.repo.get(id) as Image)));
    expect(listed()).toEqual(shown());
    const changes: Array<[string, () => unknown]> = [
      ["update columns", () => svc.repo.update(id, { name: "renamed", min_ram: 64, protected: true })],
      ["set and remove properties", () => svc.repo.update(id, {}, { setProperties: { p2: "v2" }, removeProperties: ["p1"] })],
      ["replace tags", () => svc.repo.update(id, {}, { tags: ["t2", "t3"] })],
      [
        "upload result",
        () =>
          svc.repo.update(
            id,
            { status: "active", size: 5, checksum: "c", os_hash_algo: "sha512", os_hash_value: "h" },
            { fromStatus: ["queued"] },
          ),
      ],
      ["add a tag", () => svc.repo.addTag(id, "t4")],
      ["remove a tag", () => svc.repo.removeTag(id, "t2")],
    ];
    for (const [what, change] of changes) {
      const before = listed();
      change();
      const after = listed();
      expect(after, what).not.toEqual(before);
      expect(after, what).toEqual(shown());
    }
    expect(listed()).toMatchObject({ name: "renamed", status: "active", tags: ["t3", "t4"], p2: "v2", protected: true });
    svc.repo.delete(id);
    expect(listed()).toBeNull();
  });
});
