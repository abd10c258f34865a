import type { DomainSpec } from "./domain.js";

/** VNC display number QEMU's `-vnc host:N` takes for a TCP port (5900 + N). */
export const vncDisplay = (port: number) => port - 5900;

/**
 * The QEMU command line for a domain definition (what libvirt's qemuBuildCommandLine does for our
 * subset). Choices measured on a 2-core host without KVM (see docs in fixtures/image):
 *  - `-accel tcg,tb-size=…` alone (with `-machine accel=` too QEMU refuses to start);
 *  - `-display none` always: without a GUI module QEMU silently opens its own VNC on :5900;
 *  - `-nodefaults`, virtio-net with `romfile=` (no iPXE ROM: faster BIOS);
 *  - the config drive as a read-only virtio disk: Debian's cloud kernel has no AHCI driver, so a
 *    q35 SATA cdrom would be invisible to the guest;
 *  - the serial console on a TCP socket (nova's [serial_console] style) that also writes console.log.
 */
export function qemuArgv(d: DomainSpec, opts: { daemonize: boolean; incoming?: string }): string[] {
  const a = [
    "-name",
    `${d.name},debug-threads=on`,
    "-uuid",
    d.uuid,
    "-machine",
    d.machine,
    "-accel",
    `tcg,tb-size=${d.tcgCacheMiB}`,
    "-cpu",
    "max",
    "-smp",
    String(d.vcpus),
    "-m",
    String(d.memoryMiB),
    "-nodefaults",
    "-no-user-config",
    "-display",
    "none",
    "-vga",
    "std",
    "-vnc",
    `${d.vnc.listen}:${vncDisplay(d.vnc.port)}`,
    "-chardev",
    `socket,id=charserial0,host=${d.serial.host},port=${d.serial.port},server=on,wait=off,telnet=off,logfile=${d.serial.logFile},logappend=on`,
    "-serial",
    "chardev:charserial0",
    "-qmp",
    `unix:${d.runtime.qmpSocket},server=on,wait=off`,
    "-pidfile",
    d.runtime.pidFile,
  ];
  d.disks.forEach((k, i) => {
    const id = `drive-virtio-disk${i}`;
    const cache = k.format === "qcow2" ? "cache=writeback,discard=unmap" : "cache=none";
    a.push("-drive", `file=${k.file},format=${k.format},if=none,id=${id},${cache}${k.readonly ? ",readonly=on" : ""}`);
    a.push("-device", `virtio-blk-pci,drive=${id},id=virtio-disk${i}${k.bootOrder ? `,bootindex=${k.bootOrder}` : ""}`);
  });
  d.interfaces.forEach((n, i) => {
    const fwd = n.portForwards.map((f) => `,hostfwd=${f.proto}:${f.address}:${f.hostPort}-:${f.guestPort}`).join("");
    a.push("-netdev", `user,id=hostnet${i}${fwd}`);
    a.push("-device", `virtio-net-pci,netdev=hostnet${i},id=net${i},mac=${n.mac},romfile=`);
  });
  if (opts.incoming) a.push("-incoming", opts.incoming);
  if (opts.daemonize) a.push("-daemonize");
  return a;
}

/** The command line as one shell-readable string (for logs and trace spans). */
export function formatArgv(emulator: string, argv: string[]): string {
  return [emulator, ...argv].map((x) => (/^[\w@%+=:,./-]+$/.test(x) ? x : `'${x.replace(/'/g, "'\\''")}'`)).join(" ");
}
