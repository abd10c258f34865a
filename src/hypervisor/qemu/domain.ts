import { child, children, el, parseXml, renderXml } from "./xml.js";

/**
 * One guest's definition, the way libvirt keeps it: the driver writes it as `libvirt.xml` in the
 * instance directory and derives the QEMU command line from that file (qemu-argv.ts), so a learner
 * can read both and a restarted worker relaunches a stopped guest from the same definition.
 */
export interface DomainSpec {
  name: string;
  uuid: string;
  title: string;
  memoryMiB: number;
  vcpus: number;
  machine: string;
  emulator: string;
  /** TCG translation cache (MiB): bounds QEMU's RSS (the default is up to 1 GiB). */
  tcgCacheMiB: number;
  disks: DiskSpec[];
  interfaces: InterfaceSpec[];
  serial: { host: string; port: number; logFile: string };
  vnc: { listen: string; port: number };
  /** Not libvirt's business (it talks QMP itself); kept in <metadata> for this driver. */
  runtime: { qmpSocket: string; pidFile: string };
  nova: { flavor: string; rootGb: number; owner: string; image: string; creationTime: string };
}

export interface DiskSpec {
  file: string;
  format: "qcow2" | "raw";
  /** vda, vdb, … */
  target: string;
  readonly: boolean;
  bootOrder?: number;
}

export interface InterfaceSpec {
  mac: string;
  model: "virtio";
  /** user-mode networking (slirp) with host ports forwarded to the guest */
  portForwards: Array<{ proto: "tcp"; address: string; hostPort: number; guestPort: number }>;
}

const NOVA_NS = "http://openstack.org/xmlns/libvirt/nova/1.1";
const PS_NS = "https://pocketstack.invalid/xmlns/runtime/1.0";

export function domainToXml(d: DomainSpec): string {
  const domain = el(
    "domain",
    { type: "qemu" },
    el("name", {}, d.name),
    el("uuid", {}, d.uuid),
    el("title", {}, d.title),
    el(
      "metadata",
      {},
      el(
        "nova:instance",
        { "xmlns:nova": NOVA_NS },
        el("nova:name", {}, d.title),
        el("nova:creationTime", {}, d.nova.creationTime),
        el(
          "nova:flavor",
          { name: d.nova.flavor },
          el("nova:memory", {}, String(d.memoryMiB)),
          el("nova:disk", {}, String(d.nova.rootGb)),
          el("nova:vcpus", {}, String(d.vcpus)),
        ),
        el("nova:owner", {}, el("nova:project", { uuid: d.nova.owner })),
        el("nova:root", { type: "image", uuid: d.nova.image }),
      ),
      el("pocketstack:runtime", {
        "xmlns:pocketstack": PS_NS,
        qmp: d.runtime.qmpSocket,
        pidfile: d.runtime.pidFile,
        tcg_cache_mib: d.tcgCacheMiB,
      }),
    ),
    el("memory", { unit: "KiB" }, String(d.memoryMiB * 1024)),
    el("vcpu", {}, String(d.vcpus)),
    el("os", {}, el("type", { arch: "x86_64", machine: d.machine }, "hvm"), el("boot", { dev: "hd" })),
    el("features", {}, el("acpi")),
    el("cpu", { mode: "custom", match: "exact" }, el("model", {}, "max")),
    el("on_poweroff", {}, "destroy"),
    el("on_reboot", {}, "restart"),
    el("on_crash", {}, "destroy"),
    el(
      "devices",
      {},
      el("emulator", {}, d.emulator),
      ...d.disks.map((k) =>
        el(
          "disk",
          { type: "file", device: "disk" },
          el("driver", {
            name: "qemu",
            type: k.format,
            cache: k.format === "qcow2" ? "writeback" : "none",
            discard: k.format === "qcow2" ? "unmap" : undefined,
          }),
          el("source", { file: k.file }),
          el("target", { dev: k.target, bus: "virtio" }),
          ...(k.readonly ? [el("readonly")] : []),
          ...(k.bootOrder ? [el("boot", { order: k.bootOrder })] : []),
        ),
      ),
      ...d.interfaces.map((i) =>
        el(
          "interface",
          { type: "user" },
          el("mac", { address: i.mac }),
          el("model", { type: i.model }),
          ...i.portForwards.map((f) =>
            el("portForward", { proto: f.proto, address: f.address }, el("range", { start: f.hostPort, to: f.guestPort })),
          ),
        ),
      ),
      el(
        "serial",
        { type: "tcp" },
        el("source", { mode: "bind", host: d.serial.host, service: d.serial.port }),
        el("protocol", { type: "raw" }),
        el("log", { file: d.serial.logFile, append: "on" }),
        el("target", { port: 0 }),
      ),
      el("graphics", { type: "vnc", port: d.vnc.port, autoport: "no", listen: d.vnc.listen }),
      el("video", {}, el("model", { type: "vga" })),
    ),
  );
  return renderXml(domain);
}

function need<T>(v: T | undefined, what: string): T {
  if (v === undefined || v === "") throw new Error(`domain XML: missing ${what}`);
  return v;
}

/** Read back a definition written by domainToXml (libvirt's virDomainDefParse, for our subset). */
export function domainFromXml(xml: string): DomainSpec {
  const d = parseXml(xml);
  const md = child(d, "metadata");
  const nova = child(md, "nova:instance");
  const rt = child(md, "pocketstack:runtime");
  const flavor = child(nova, "nova:flavor");
  const devices = child(d, "devices");
  const serial = child(devices, "serial");
  const graphics = child(devices, "graphics");
  return {
    name: need(child(d, "name")?.text, "<name>"),
    uuid: need(child(d, "uuid")?.text, "<uuid>"),
    title: child(d, "title")?.text ?? "",
    memoryMiB: Math.round(Number(need(child(d, "memory")?.text, "<memory>")) / 1024),
    vcpus: Number(need(child(d, "vcpu")?.text, "<vcpu>")),
    machine: need(child(child(d, "os"), "type")?.attrs.machine, "<os><type machine>"),
    emulator: need(child(devices, "emulator")?.text, "<emulator>"),
    tcgCacheMiB: Number(rt?.attrs.tcg_cache_mib ?? 64),
    disks: children(devices, "disk").map((k) => ({
      file: need(child(k, "source")?.attrs.file, "<disk><source file>"),
      format: child(k, "driver")?.attrs.type === "raw" ? "raw" : "qcow2",
      target: need(child(k, "target")?.attrs.dev, "<disk><target dev>"),
      readonly: !!child(k, "readonly"),
      bootOrder: child(k, "boot") ? Number(child(k, "boot")?.attrs.order) : undefined,
    })),
    interfaces: children(devices, "interface").map((i) => ({
      mac: need(child(i, "mac")?.attrs.address, "<interface><mac>"),
      model: "virtio",
      portForwards: children(i, "portForward").map((f) => ({
        proto: "tcp",
        address: f.attrs.address ?? "127.0.0.1",
        hostPort: Number(child(f, "range")?.attrs.start),
        guestPort: Number(child(f, "range")?.attrs.to),
      })),
    })),
    serial: {
      host: need(child(serial, "source")?.attrs.host, "<serial><source host>"),
      port: Number(need(child(serial, "source")?.attrs.service, "<serial><source service>")),
      logFile: need(child(serial, "log")?.attrs.file, "<serial><log file>"),
    },
    vnc: { listen: graphics?.attrs.listen ?? "127.0.0.1", port: Number(need(graphics?.attrs.port, "<graphics port>")) },
    runtime: { qmpSocket: need(rt?.attrs.qmp, "runtime qmp"), pidFile: need(rt?.attrs.pidfile, "runtime pidfile") },
    nova: {
      flavor: flavor?.attrs.name ?? "",
      rootGb: Number(child(flavor, "nova:disk")?.text ?? 0),
      owner: child(child(nova, "nova:owner"), "nova:project")?.attrs.uuid ?? "",
      image: child(nova, "nova:root")?.attrs.uuid ?? "",
      creationTime: child(nova, "nova:creationTime")?.text ?? "",
    },
  };
}
