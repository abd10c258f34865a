import { createHash } from "node:crypto";
import { tmpdir } from "node:os";
import { join } from "node:path";

/**
 * The files of one instance, named as Nova's libvirt driver names them under instances_path/<uuid>/
 * (disk, disk.config, console.log, libvirt.xml), plus what QEMU needs without libvirtd.
 */
export function instanceFiles(instancesPath: string, uuid: string) {
  const dir = join(instancesPath, uuid);
  // unix socket paths are limited to 107 bytes: long state dirs get a socket under /tmp instead
  const qmp = join(dir, "qmp.sock");
  const qmpSocket =
    Buffer.byteLength(qmp) < 100
      ? qmp
      : join(tmpdir(), `pocketstack-qmp-${createHash("sha1").update(dir).digest("hex").slice(0, 16)}.sock`);
  return {
    dir,
    disk: join(dir, "disk"),
    configDrive: join(dir, "disk.config"),
    configDriveWork: join(dir, "config-drive.d"),
    consoleLog: join(dir, "console.log"),
    domainXml: join(dir, "libvirt.xml"),
    commandLine: join(dir, "qemu-cmdline.txt"),
    pidFile: join(dir, "qemu.pid"),
    qmpSocket,
    /** present while the guest is suspended (see QemuDriver.suspend) */
    suspendedMark: join(dir, "suspended"),
  };
}
export type InstanceFiles = ReturnType<typeof instanceFiles>;
