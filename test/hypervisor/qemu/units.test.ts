// The qemu driver's pieces that need no running guest: domain XML ↔ command line, console cleaning,
// the build throttle, config-drive content, and the image cache's checksum check.
import { existsSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Readable } from "node:stream";
import { afterAll, describe, expect, it } from "vitest";
import { PowerState } from "../../../src/hypervisor/driver.js";
import { configDriveContent } from "../../../src/hypervisor/qemu/config-drive.js";
import { cleanConsoleText, tailLines } from "../../../src/hypervisor/qemu/console-log.js";
import { type DomainSpec, domainFromXml, domainToXml } from "../../../src/hypervisor/qemu/domain.js";
import { powerStateOfQmpStatus } from "../../../src/hypervisor/qemu/driver.js";
import { ImageCache, baseNameOf } from "../../../src/hypervisor/qemu/image-cache.js";
import { qemuArgv } from "../../../src/hypervisor/qemu/qemu-argv.js";
import { BootThrottle } from "../../../src/hypervisor/qemu/throttle.js";
import { makeInstance, tmp } from "./helpers.js";

const spec: DomainSpec = {
  name: "instance-0000002a",
  uuid: "0b7e6c1e-0000-4000-8000-000000000001",
  title: 'web <1> & "co"',
  memoryMiB: 256,
  vcpus: 1,
  machine: "q35",
  emulator: "qemu-system-x86_64",
  tcgCacheMiB: 64,
  disks: [
    { file: "/s/i/u/disk", format: "qcow2", target: "vda", readonly: false, bootOrder: 1 },
    { file: "/s/i/u/disk.config", format: "raw", target: "vdb", readonly: true },
  ],
  interfaces: [
    { mac: "fa:16:3e:00:11:22", model: "virtio", portForwards: [{ proto: "tcp", address: "127.0.0.1", hostPort: 40022, guestPort: 22 }] },
  ],
  serial: { host: "127.0.0.1", port: 40100, logFile: "/s/i/u/console.log" },
  vnc: { listen: "127.0.0.1", port: 5907 },
  runtime: { qmpSocket: "/s/i/u/qmp.sock", pidFile: "/s/i/u/qemu.pid" },
  nova: { flavor: "m1.tiny", rootGb: 1, owner: "p1", image: "img-1", creationTime: "2026-01-01T00:00:00Z" },
};

describe("domain XML and the QEMU command line derived from it", () => {
  it("round-trips through libvirt.xml", () => {
    const xml = domainToXml(spec);
    expect(xml).toContain("<name>instance-0000002a</name>");
    expect(xml).toContain('<graphics type="vnc" port="5907" autoport="no" listen="127.0.0.1"/>');
    expect(xml).toContain("web &lt;1&gt; &amp; &quot;co&quot;");
    expect(domainFromXml(xml)).toEqual(spec);
  });

  it("builds the command line with the measured choices (TCG cache, no display, virtio, no iPXE ROM)", () => {
    const argv = qemuArgv(domainFromXml(domainToXml(spec)), { daemonize: true });
    const line = argv.join(" ");
    expect(line).toContain("-accel tcg,tb-size=64");
    expect(line).not.toContain("accel=");
    expect(line).toContain("-display none");
    expect(line).toContain("-vnc 127.0.0.1:7");
    expect(line).toContain("hostfwd=tcp:127.0.0.1:40022-:22");
    expect(line).toContain("virtio-net-pci,netdev=hostnet0,id=net0,mac=fa:16:3e:00:11:22,romfile=");
    expect(line).toContain("file=/s/i/u/disk.config,format=raw,if=none,id=drive-virtio-disk1,cache=none,readonly=on");
    expect(line).toContain("logfile=/s/i/u/console.log,logappend=on");
    expect(argv.at(-1)).toBe("-daemonize");
  });

  it("refuses a definition without the parts it needs", () => {
    expect(() => domainFromXml(domainToXml(spec).replace(/<uuid>.*<\/uuid>/, ""))).toThrow(/missing <uuid>/);
    expect(() => domainFromXml("<domain><name>x</name>")).toThrow(/not closed/);
  });
});

describe("console log and power states", () => {
  it("strips terminal escapes and carriage returns", () => {
    const raw = "\x1bc\x1b[2J\x1b[01;01HSeaBIOS (version 1.16)\r\r\nBooting from Hard Disk...\r\n\x1b[?25lvm1 login: ";
    expect(cleanConsoleText(raw)).toBe("SeaBIOS (version 1.16)\nBooting from Hard Disk...\nvm1 login: ");
    expect(tailLines("a\nb\nc\n", 2)).toBe("b\nc\n");
    expect(tailLines("a\nb\n", undefined)).toBe("a\nb\n");
  });

  it("maps QMP status to Nova power states", () => {
    expect(powerStateOfQmpStatus("running")).toBe(PowerState.RUNNING);
    expect(powerStateOfQmpStatus("paused")).toBe(PowerState.PAUSED);
    expect(powerStateOfQmpStatus("shutdown")).toBe(PowerState.SHUTDOWN);
    expect(powerStateOfQmpStatus("guest-panicked")).toBe(PowerState.CRASHED);
    expect(powerStateOfQmpStatus("inmigrate")).toBe(PowerState.NOSTATE);
  });
});

describe("max_concurrent_builds throttle", () => {
  it("lets two boot at once and queues the third with its position", async () => {
    const t = new BootThrottle(2);
    const r1 = await t.acquire();
    const r2 = await t.acquire();
    const positions: number[] = [];
    let third = false;
    const p3 = t
      .acquire((p) => positions.push(p))
      .then((r) => {
        third = true;
        return r;
      });
    await new Promise((r) => setTimeout(r, 10));
    expect(third).toBe(false);
    expect(positions).toEqual([1]);
    r1();
    r1(); // releasing twice frees one slot only
    const r3 = await p3;
    expect(third).toBe(true);
    expect(t.running).toBe(2);
    r2();
    r3();
    expect(t.running).toBe(0);
  });
});

describe("config drive content", () => {
  it("carries uuid, name, hostname, the keypair and decoded user_data as Nova writes them", () => {
    const inst = makeInstance({
      uuid: "u-1",
      display_name: "web 1",
      hostname: "web-1",
      key_name: "k",
      key_data: "ssh-ed25519 AAAA k",
      user_data: Buffer.from("#!/bin/sh\necho hi\n").toString("base64"),
    });
    const c = configDriveContent(inst, []);
    expect(c.metaData).toMatchObject({
      uuid: "u-1",
      name: "web 1",
      hostname: "web-1.novalocal",
      public_keys: { k: "ssh-ed25519 AAAA k\n" },
      availability_zone: "nova",
      launch_index: 0,
    });
    expect(c.metaData.keys).toEqual([{ name: "k", type: "ssh", data: "ssh-ed25519 AAAA k\n" }]);
    expect(c.userData?.toString()).toBe("#!/bin/sh\necho hi\n");
  });
});

describe("image cache", () => {
  const dir = tmp("ps-imgcache-");
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const ctx = { roles: [] };

  it("refuses data whose md5 is not Glance's checksum, and leaves no file", async () => {
    const cache = new ImageCache(join(dir, "_base"), {
      download: async () => Readable.from([Buffer.from("not the image")]),
      upload: async () => {},
    });
    await expect(cache.fetch(ctx, { id: "img-x", checksum: "0".repeat(32), disk_format: "raw" })).rejects.toThrow(
      /md5 .* Glance says 0000/,
    );
    expect(existsSync(join(dir, "_base")) ? readdirSync(join(dir, "_base")) : []).toEqual([]);
  });

  it("downloads once, shares, and ages out only unused old bases", async () => {
    let downloads = 0;
    const data = Buffer.alloc(4096, 1);
    const cache = new ImageCache(join(dir, "_base2"), {
      download: async () => {
        downloads++;
        return Readable.from([data]);
      },
      upload: async () => {},
    });
    const md5 = (await import("node:crypto")).createHash("md5").update(data).digest("hex");
    const [a, b] = await Promise.all([
      cache.fetch(ctx, { id: "i1", checksum: md5, disk_format: "raw" }),
      cache.fetch(ctx, { id: "i1", checksum: md5, disk_format: "raw" }),
    ]);
    expect(a).toBe(b);
    expect(a.endsWith(baseNameOf("i1"))).toBe(true);
    await cache.fetch(ctx, { id: "i1", checksum: md5, disk_format: "raw" });
    expect(downloads).toBe(1);
    writeFileSync(cache.pathOf("i2"), "x");
    expect(cache.ageOut(["i1"], 3600)).toEqual([]);
    expect(cache.ageOut(["i1"], 0)).toEqual([baseNameOf("i2")]);
    expect(existsSync(a)).toBe(true);
  });
});
