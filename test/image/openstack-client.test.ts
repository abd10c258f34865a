import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cliArgv } from "../helpers/runtime.js";
import { type GlanceBehindKeystone, startGlanceBehindKeystone } from "./glance-keystone.js";

const root = new URL("../..", import.meta.url).pathname;
let s: GlanceBehindKeystone;
let work: string;

beforeAll(async () => {
  s = await startGlanceBehindKeystone();
  work = mkdtempSync(join(tmpdir(), "osc-image-"));
}, 60_000);
afterAll(async () => {
  await s?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

const env = () => ({ ...s.env, POCKETSTACK_HOME: work, OS_CLOUD: "" });
/** The real python-openstackclient. */
const openstack = (...args: string[]) => execa("openstack", args, { env: env(), reject: false, timeout: 60_000 });
/** Our `os`, with the same OS_* environment. */
const os = (...args: string[]) => execa(process.execPath, cliArgv(...args), { cwd: root, env: env(), reject: false, timeout: 60_000 });

/** The Field column of a cliff show table. */
const fieldNames = (table: string) =>
  table
    .split("\n")
    .filter((l) => l.startsWith("| "))
    .map((l) => l.split("|")[1]?.trim())
    .slice(1);

/** Every row of a cliff table as trimmed cells. */
const cells = (table: string) =>
  table
    .split("\n")
    .filter((l) => l.startsWith("| "))
    .map((l) =>
      l
        .split("|")
        .slice(1, -1)
        .map((c) => c.trim()),
    );

describe("the real openstack client against glance behind keystone", () => {
  it("creates, lists, shows, tags, saves and deletes, printing what our os prints", { timeout: 240_000 }, async () => {
    const file = join(work, "disk.qcow2");
    const data = Buffer.alloc(300_000);
    for (let i = 0; i < data.length; i++) data[i] = (i * 7919) & 0xff;
    writeFileSync(file, data);
    const md5 = createHash("md5").update(data).digest("hex");
    const create = ["image", "create", "--file", file, "--disk-format", "qcow2", "--container-format", "bare", "--public"];

    const theirs = await openstack(...create, "cirros2");
    expect(theirs.exitCode, theirs.stderr).toBe(0);
    const ours = await os(...create, "cirros3");
    expect(ours.exitCode, ours.stderr).toBe(0);
    // Same fields in the same order (sorted by name), same formats and visibility.
    expect(fieldNames(ours.stdout)).toEqual(fieldNames(theirs.stdout));
    expect(fieldNames(theirs.stdout)).toContain("properties");
    for (const line of [/\| disk_format\s+\| qcow2\s+\|/, /\| visibility\s+\| public\s+\|/, /\| protected\s+\| False\s+\|/])
      for (const out of [theirs.stdout, ours.stdout]) expect(out).toMatch(line);

    // image list: the same table, byte for byte.
    const listTheirs = await openstack("image", "list");
    const listOurs = await os("image", "list");
    expect(listTheirs.exitCode, listTheirs.stderr).toBe(0);
    expect(listOurs.stdout).toBe(listTheirs.stdout);
    expect(listTheirs.stdout).toMatch(/\| cirros2 \| active \|/);
    // --long: the same table too (cliff right-aligns the Size column, header included).
    const longTheirs = await openstack("image", "list", "--long");
    expect((await os("image", "list", "--long")).stdout).toBe(longTheirs.stdout);
    expect(cells(longTheirs.stdout)[0]).toEqual([
      "ID",
      "Name",
      "Disk Format",
      "Container Format",
      "Size",
      "Checksum",
      "Status",
      "Visibility",
      "Protected",
      "Project",
      "Tags",
    ]);

    // image show -f json: the same document for the same image.
    const showTheirs = await openstack("image", "show", "-f", "json", "cirros2");
    expect(showTheirs.exitCode, showTheirs.stderr).toBe(0);
    const shown = JSON.parse(showTheirs.stdout);
    expect(shown).toMatchObject({ name: "cirros2", status: "active", checksum: md5, size: data.length, disk_format: "qcow2" });
    expect(shown.properties).toMatchObject({ os_hash_algo: "sha512", "owner_specified.openstack.object": "images/cirros2" });
    expect(JSON.parse((await os("image", "show", "-f", "json", "cirros2")).stdout)).toEqual(shown);

    // image set --tag, seen by both clients.
    const tagged = await openstack("image", "set", "--tag", "web", "--tag", "db", "cirros2");
    expect(tagged.exitCode, tagged.stderr).toBe(0);
    expect(tagged.stdout).toBe("");
    const showAgain = await openstack("image", "show", "cirros2");
    expect(showAgain.stdout).toMatch(/\| tags\s+\| db, web\s+\|/);
    expect((await os("image", "show", "cirros2")).stdout).toBe(showAgain.stdout);

    // image save: the bytes that went in.
    const savedTheirs = join(work, "theirs.img");
    const savedOurs = join(work, "ours.img");
    expect((await openstack("image", "save", "--file", savedTheirs, "cirros2")).exitCode).toBe(0);
    expect((await os("image", "save", "--file", savedOurs, "cirros2")).exitCode).toBe(0);
    expect(readFileSync(savedTheirs).equals(data)).toBe(true);
    expect(readFileSync(savedOurs).equals(data)).toBe(true);

    // image delete: gone for both; deleting again fails with the same words.
    expect((await openstack("image", "delete", "cirros2", "cirros3")).exitCode).toBe(0);
    const again = await openstack("image", "delete", "cirros2");
    const againOurs = await os("image", "delete", "cirros2");
    expect(again.exitCode).toBe(1);
    expect(againOurs.exitCode).toBe(1);
    for (const line of [
      "Failed to delete image with name or ID 'cirros2': No Image found for cirros2",
      "Failed to delete 1 of 1 images.",
    ]) {
      expect(again.stderr).toContain(line);
      expect(againOurs.stderr).toContain(line);
    }
    expect((await openstack("image", "list", "-f", "value")).stdout).toBe("");
  });
});
