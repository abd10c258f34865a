import { createHash } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cliArgv } from "../helpers/runtime.js";
import { type Glance, client, startGlance } from "./helpers.js";

let g: Glance;
beforeAll(async () => {
  g = await startGlance();
});
afterAll(() => g.close());

const root = new URL("../..", import.meta.url).pathname;
/** `os …` against the test server, as project p1 through noauth2 (keystoneauth's admin_token style). */
const os = (args: string[], token = "demo:p1") =>
  execa(process.execPath, cliArgv(...args), {
    cwd: root,
    reject: false,
    env: { OS_AUTH_TYPE: "admin_token", OS_ENDPOINT: g.base, OS_TOKEN: token, OS_CLOUD: "", OS_AUTH_URL: "" },
  });

describe("os image", () => {
  it("creates from a file, shows the fields openstack prints, lists, saves the same bytes, and deletes", { timeout: 60_000 }, async () => {
    const file = join(g.dir, "disk.raw");
    const data = Buffer.alloc(200_000, 7);
    writeFileSync(file, data);
    const md5 = createHash("md5").update(data).digest("hex");

    const created = await os([
      "image",
      "create",
      "--file",
      file,
      "--disk-format",
      "raw",
      "--property",
      "hw_disk_bus=scsi",
      "--tag",
      "t1",
      "cli-img",
      "-f",
      "json",
    ]);
    expect(created.exitCode, created.stderr).toBe(0);
    // Like the openstack client, create prints the image as the create call returned it (queued).
    const shown = JSON.parse(created.stdout);
    expect(Object.keys(shown)).toEqual([
      "container_format",
      "created_at",
      "disk_format",
      "file",
      "id",
      "min_disk",
      "min_ram",
      "name",
      "owner",
      "properties",
      "protected",
      "schema",
      "status",
      "tags",
      "updated_at",
      "visibility",
    ]);
    expect(shown).toMatchObject({ name: "cli-img", status: "queued", container_format: "bare", tags: ["t1"] });
    expect(shown.properties).toEqual({
      hw_disk_bus: "scsi",
      os_hidden: false,
      "owner_specified.openstack.md5": "",
      "owner_specified.openstack.sha256": "",
      "owner_specified.openstack.object": "images/cli-img",
    });
    const after = JSON.parse((await os(["image", "show", "-f", "json", shown.id])).stdout);
    expect(after).toMatchObject({ status: "active", checksum: md5, size: 200_000 });
    expect(after.properties).toMatchObject({ os_hash_algo: "sha512" });

    const list = await os(["image", "list"]);
    expect(list.exitCode).toBe(0);
    const lines = list.stdout.split("\n");
    expect(lines[1]).toMatch(/^\| ID\s+\| Name\s+\| Status \|$/);
    expect(list.stdout).toContain(`| ${shown.id} | cli-img | active |`);

    const set = await os(["image", "set", "--name", "cli-renamed", "--property", "os_distro=cirros", "--protected", shown.id]);
    expect(set.exitCode, set.stderr).toBe(0);
    const table = await os(["image", "show", "cli-renamed"]);
    expect(table.stdout).toMatch(/\| protected\s+\| True/);
    expect(table.stdout).toMatch(/\| properties\s+\| hw_disk_bus='scsi', os_distro='cirros', os_hash_algo='sha512'/);

    // unset: a missing tag or property is one stderr line each, the rest is still done.
    const unset = await os(["image", "unset", "--tag", "t1", "--tag", "nope", "--property", "os_distro", "cli-renamed"]);
    expect(unset.exitCode).toBe(1);
    expect(unset.stderr).toContain("tag unset failed, 'nope' is a nonexistent tag");
    expect(unset.stderr).toContain("Failed to unset 1 of 2 tags.");
    const unsetShown = JSON.parse((await os(["image", "show", "-f", "json", "cli-renamed"])).stdout);
    expect(unsetShown.tags).toEqual([]);
    expect(unsetShown.properties.os_distro).toBeUndefined();
    expect(unsetShown.properties.hw_disk_bus).toBe("scsi");

    const out = join(g.dir, "saved.raw");
    // --progress draws only on a terminal: piped, stderr stays empty.
    const save = await os(["image", "save", "--progress", "--file", out, "cli-renamed"]);
    expect(save.exitCode, save.stderr).toBe(0);
    expect(save.stderr).toBe("");
    expect(readFileSync(out).equals(data)).toBe(true);

    const protectedDelete = await os(["image", "delete", "cli-renamed"]);
    expect(protectedDelete.exitCode).toBe(1);
    expect(protectedDelete.stderr).toContain(`Failed to delete image with name or ID 'cli-renamed'`);
    expect(protectedDelete.stderr).toContain("Failed to delete 1 of 1 images.");
    await os(["image", "set", "--unprotected", shown.id]);
    const del = await os(["image", "delete", shown.id]);
    expect(del.exitCode, del.stderr).toBe(0);
    expect((await client(g.base, "demo:p1").get(`/v2/images/${shown.id}`)).status).toBe(404);
  });

  it("shares with a project, which accepts; member list shows it", { timeout: 60_000 }, async () => {
    const img = await client(g.base, "demo:p1").create({ name: "share-me" });
    const add = await os(["image", "add", "project", "share-me", "p9", "-f", "json"]);
    expect(add.exitCode, add.stderr).toBe(0);
    expect(JSON.parse(add.stdout)).toMatchObject({ image_id: img.id, member_id: "p9", status: "pending", schema: "/v2/schemas/member" });
    const accept = await os(["image", "set", "--accept", img.id], "someone:p9");
    expect(accept.exitCode, accept.stderr).toBe(0);
    const members = await os(["image", "member", "list", "share-me", "-f", "value"]);
    expect(members.stdout.trim()).toBe(`${img.id} p9 accepted`);
    const missing = await os(["image", "show", "no-such-image"]);
    expect(missing.exitCode).toBe(1);
    expect(missing.stderr).toContain("No Image found for no-such-image");
  });
});
