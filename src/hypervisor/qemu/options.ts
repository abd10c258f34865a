import type { DriverOptions } from "../driver.js";

/**
 * The qemu driver's settings. They are read from pocketstack.conf when the schema knows them; until
 * then (or in a test) the defaults below apply. Names follow nova.conf where Nova has the option.
 */
export interface QemuOptions {
  /** [DEFAULT] instances_path: instance dirs and the `_base` image cache. */
  instancesPath: string;
  /** [compute] max_concurrent_builds: guests booting at once on this node (a slot is held until `login:`). */
  maxConcurrentBuilds: number;
  /** [libvirt] boot_timeout (pocketstack): how long a boot may hold its build slot, in seconds. */
  bootTimeoutS: number;
  /** [DEFAULT] shutdown_timeout: default wait for a clean ACPI shutdown before `quit`. */
  shutdownTimeoutS: number;
  /** [libvirt] tcg_cache_mib (pocketstack): TCG translation cache per guest; bounds RSS. */
  tcgCacheMiB: number;
  /** [libvirt] hw_machine_type */
  machineType: string;
  /** [vnc] server_listen */
  vncListen: string;
  /** [DEFAULT] my_ip: where forwarded guest ports listen */
  myIp: string;
  /** [DEFAULT] force_config_drive: every guest gets one (this guest image has no metadata service path). */
  forceConfigDrive: boolean;
  /** [api] dhcp_domain */
  dhcpDomain: string;
  /** [image_cache] remove_unused_original_minimum_age_seconds */
  imageCacheMinAgeS: number;
  /** Glance's endpoint for image downloads/uploads ([glance] endpoint or my_ip:glance_port). */
  glanceEndpoint: string;
  emulator: string;
}

function read<T>(cfg: DriverOptions["config"], section: string, option: string, fallback: T): T {
  try {
    const v = cfg.get(section, option);
    return v === undefined || v === "" ? fallback : (v as T);
  } catch {
    return fallback; // the option is not in the schema (yet)
  }
}

export function qemuOptions(opts: DriverOptions, stateDirInstances: string): QemuOptions {
  const c = opts.config;
  const myIp = read(c, "DEFAULT", "my_ip", "127.0.0.1");
  return {
    instancesPath: read(c, "DEFAULT", "instances_path", stateDirInstances),
    maxConcurrentBuilds: Number(read(c, "compute", "max_concurrent_builds", 2)),
    bootTimeoutS: Number(read(c, "libvirt", "boot_timeout", 300)),
    shutdownTimeoutS: Number(read(c, "DEFAULT", "shutdown_timeout", 60)),
    tcgCacheMiB: Number(read(c, "libvirt", "tcg_cache_mib", 64)),
    machineType: read(c, "libvirt", "hw_machine_type", "q35"),
    vncListen: read(c, "vnc", "server_listen", "127.0.0.1"),
    myIp,
    forceConfigDrive: read<boolean | string>(c, "DEFAULT", "force_config_drive", true) !== false,
    dhcpDomain: read(c, "api", "dhcp_domain", "novalocal"),
    imageCacheMinAgeS: Number(read(c, "image_cache", "remove_unused_original_minimum_age_seconds", 86400)),
    glanceEndpoint: read(
      c,
      "glance",
      "endpoint",
      `${read<boolean>(c, "ssl", "enabled", false) ? "https" : "http"}://${myIp}:${read(c, "api", "glance_port", 9292)}`,
    ),
    emulator: read(c, "libvirt", "emulator", "qemu-system-x86_64"),
  };
}
