// The qemu driver alone, booting a real guest from the CirrOS-like image under TCG. Slow by nature
// (one boot, ~10-40 s depending on host load): waits generously, never asserts boot speed.
import { existsSync, readFileSync, rmSync } from "node:fs";
import type { Server } from "node:http";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PowerState } from "../../../src/hypervisor/driver.js";
import { QemuDriver } from "../../../src/hypervisor/qemu/driver.js";
import { ensureGuestImage } from "../../../src/hypervisor/qemu/guest-image.js";
import { isOurQemu } from "../../../src/hypervisor/qemu/guest-process.js";
import { GlanceHttpImageSource } from "../../../src/hypervisor/qemu/image-source.js";
import { driverOptions, fakeGlance, hasCommand, makeInstance, md5File, sshKey, tmp, waitFor } from "./helpers.js";

const hasQemu = hasCommand("qemu-system-x86_64") && hasCommand("qemu-img") && hasCommand("genisoimage");
if (!hasQemu)
  console.warn(
    "SKIPPED qemu driver boot test: qemu-system-x86_64/qemu-img/genisoimage not installed (apt-get install --no-install-recommends qemu-system-x86 qemu-utils genisoimage)",
  );

const ctx = { roles: ["member"], auth_token: "tok", request_id: "req-qemu-test" };
const BOOT_TIMEOUT = 180_000;

describe.skipIf(!hasQemu)("qemu driver: a real guest under TCG (skipped without qemu-system-x86_64)", () => {
  let dir: string;
  let glance: { server: Server; url: string; uploads: Map<string, number>; downloads: string[] };
  let driver: QemuDriver;
  let image: string;
  let key: { publicKey: string; md5: string };
  const uuid = "7c1f3a52-4a0e-4cf5-9c2f-0d6b6f1e2a11";
  const userData = Buffer.from('#!/bin/sh\necho "hello from user_data on $(hostname)"\n').toString("base64");
  const instance = () =>
    makeInstance({ uuid, display_name: "vm1", hostname: "vm1", key_name: "mykey", key_data: key.publicKey, user_data: userData });

  beforeAll(async () => {
    dir = tmp("ps-qemu-");
    image = await ensureGuestImage();
    key = sshKey(dir);
    glance = await fakeGlance({ "img-1": image });
    driver = new QemuDriver(driverOptions(join(dir, "node")), { imageSource: new GlanceHttpImageSource(glance.url) });
    await driver.init_host("compute1");
  }, 300_000);

  afterAll(async () => {
    // leave no guest behind, whatever failed
    await driver?.destroy(ctx, instance(), [], null, true).catch(() => {});
    await driver?.cleanup_host("compute1");
    glance?.server.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it(
    "spawns, boots to login:, and the console shows the config drive's hostname, key fingerprint and user_data",
    async () => {
      const image_meta = {
        id: "img-1",
        disk_format: "qcow2",
        container_format: "bare",
        checksum: md5File(image),
        size: readFileSync(image).length,
      };
      await driver.spawn(ctx, instance(), image_meta, [], null, [], null);

      // ACTIVE as Nova sees it: QEMU runs and its monitor says running
      expect((await driver.get_info(instance())).state).toBe(PowerState.RUNNING);
      expect(await driver.list_instances()).toEqual(["instance-00000001"]);
      const def = driver.get_domain_definition(instance());
      expect(def.xml).toContain(`<uuid>${uuid}</uuid>`);
      expect(def.command_line).toContain("-name instance-00000001");
      expect(def.command_line).toMatch(/-vnc 127\.0\.0\.1:\d+/);
      // the image came from "Glance" once, into the node's _base cache
      expect(glance.downloads).toEqual(["img-1"]);

      const out = await waitFor(
        "login: on the serial console",
        async () => {
          const log = await driver.get_console_output(ctx, instance());
          return log.includes("vm1 login:") ? log : undefined;
        },
        BOOT_TIMEOUT,
      );
      expect(out).not.toMatch(/\x1b/); // no escape codes
      expect(out).toContain(`instance-id: ${uuid}`);
      expect(out).toContain("local-hostname: vm1");
      expect(out).toContain(`ci-info: authorized key 'mykey' ssh-ed25519 fingerprint md5 ${key.md5}`);
      expect(out).toContain("user_data: hello from user_data on vm1");
      // the build slot is given back once the guest has booted (the watcher polls the log)
      await waitFor("the build slot to be released", () => driver.throttle.running === 0, 5_000, 50);
    },
    BOOT_TIMEOUT + 60_000,
  );

  it("pauses and unpauses over QMP", async () => {
    await driver.pause(instance());
    expect((await driver.get_info(instance())).state).toBe(PowerState.PAUSED);
    await driver.unpause(instance());
    expect((await driver.get_info(instance())).state).toBe(PowerState.RUNNING);
  });

  it("snapshots a flattened qcow2 to the image API", async () => {
    const states: string[] = [];
    await driver.snapshot(ctx, instance(), "snap-1", async (s) => {
      states.push(s);
    });
    expect(states).toEqual(["image_pending_upload", "image_uploading"]);
    // flattened: at least as big as the base (the overlay alone is a few hundred KiB)
    expect(glance.uploads.get("snap-1")).toBeGreaterThan(readFileSync(image).length / 2);
    expect((await driver.get_info(instance())).state).toBe(PowerState.RUNNING);
  });

  it("stops cleanly (ACPI power button) → SHUTDOWN, and starts again → RUNNING", async () => {
    const pid = driver.guest_pid(instance()) as number;
    await driver.power_off(instance(), 60, 5);
    expect((await driver.get_info(instance())).state).toBe(PowerState.SHUTDOWN);
    expect(isOurQemu(pid, join(dir, "node", "instances", uuid, "qmp.sock"))).toBe(false);
    expect(await driver.get_console_output(ctx, instance())).toContain("ACPI power button: powering off");

    await driver.power_on(ctx, instance(), []);
    expect((await driver.get_info(instance())).state).toBe(PowerState.RUNNING);
    expect(driver.guest_pid(instance())).not.toBe(pid);
    await driver.pause(instance());
    expect((await driver.get_info(instance())).state).toBe(PowerState.PAUSED);
    await driver.unpause(instance());
    expect((await driver.get_info(instance())).state).toBe(PowerState.RUNNING);
  }, 120_000);

  it("a restarted worker re-attaches to the running guest", async () => {
    const pid = driver.guest_pid(instance());
    const again = new QemuDriver(driverOptions(join(dir, "node")), { imageSource: new GlanceHttpImageSource(glance.url) });
    await driver.cleanup_host("compute1"); // the old worker lets go of the monitor; the guest keeps running
    await again.init_host("compute1");
    expect(again.guest_pid(instance())).toBe(pid);
    expect((await again.get_info(instance())).state).toBe(PowerState.RUNNING);
    driver = again;
  });

  it("notices a guest killed by its pid: SHUTDOWN", async () => {
    const pid = driver.guest_pid(instance()) as number;
    process.kill(pid, "SIGKILL");
    await waitFor("the killed QEMU to be gone", () => driver.guest_pid(instance()) === undefined, 10_000, 50);
    expect((await driver.get_info(instance())).state).toBe(PowerState.SHUTDOWN);
  });

  it("destroy leaves no process and no files", async () => {
    await driver.power_on(ctx, instance(), []);
    const pid = driver.guest_pid(instance()) as number;
    const instDir = join(dir, "node", "instances", uuid);
    expect(existsSync(join(instDir, "disk"))).toBe(true);
    await driver.destroy(ctx, instance(), [], null, true);
    expect(isOurQemu(pid, join(instDir, "qmp.sock"))).toBe(false);
    expect(existsSync(`/proc/${pid}`) && readFileSync(`/proc/${pid}/cmdline`, "utf8").includes(instDir)).toBe(false);
    expect(existsSync(instDir)).toBe(false);
    expect(await driver.list_instances()).toEqual([]);
    await expect(driver.get_info(instance())).rejects.toThrow(/could not be found/);
    // the base stays in the cache for the next instance, until it ages out
    expect(driver.age_image_cache(3600)).toEqual([]);
    expect(driver.age_image_cache(0)).toHaveLength(1);
  });
});
