// The hypervisor driver interface (nova.virt.driver.ComputeDriver): what the ComputeManager asks of a
// node's hypervisor. Every driver (fake, qemu) implements it; the manager never knows which one runs.
import { existsSync } from "node:fs";
import { delimiter, join } from "node:path";
import type { RequestContext } from "../engine/common/context.js";

/** Nova's power states (nova.compute.power_state), the ints stored on the instance. */
export const PowerState = {
  NOSTATE: 0,
  RUNNING: 1,
  PAUSED: 3,
  SHUTDOWN: 4,
  CRASHED: 6,
  SUSPENDED: 7,
} as const;
export type PowerStateValue = (typeof PowerState)[keyof typeof PowerState];

/** Names as `openstack server show` prints them (OS-EXT-STS:power_state is the int; these are for logs). */
export const POWER_STATE_NAMES: Record<number, string> = {
  0: "NOSTATE",
  1: "Running",
  3: "Paused",
  4: "Shutdown",
  6: "Crashed",
  7: "Suspended",
};

/** The flavor as it travels with an instance (nova.objects.Flavor fields the drivers use). */
export interface Flavor {
  flavorid: string;
  name: string;
  vcpus: number;
  memory_mb: number;
  root_gb: number;
  ephemeral_gb: number;
  swap: number;
  extra_specs: Record<string, string>;
}

/** An instance dict as it crosses the bus (see docs/nova-rpc.md); drivers read, never save. */
export interface Instance {
  uuid: string;
  /** instance-%08x */
  name: string;
  display_name?: string;
  hostname?: string;
  project_id?: string;
  user_id?: string;
  image_ref?: string;
  flavor: Flavor;
  vm_state: string;
  task_state: string | null;
  power_state: number;
  host: string | null;
  node: string | null;
  key_name?: string | null;
  key_data?: string | null;
  user_data?: string | null;
  metadata?: Record<string, string>;
  config_drive?: string | boolean | null;
  launched_at?: string | null;
  [field: string]: unknown;
}

/** Image metadata (nova.objects.ImageMeta from Glance's image dict). Glance v2 puts properties at top level. */
export interface ImageMeta {
  id?: string;
  name?: string;
  disk_format?: string;
  container_format?: string;
  size?: number;
  checksum?: string;
  min_ram?: number;
  min_disk?: number;
  properties?: Record<string, unknown>;
  [field: string]: unknown;
}

/** One virtual interface (nova.network.model.VIF, reduced to what a driver without Neutron can use). */
export interface Vif {
  id: string;
  address: string;
  network: { id: string; label: string; subnets: Array<{ cidr: string; ips: Array<{ address: string; version: 4 | 6 }> }> };
}
export type NetworkInfo = Vif[];

export interface BlockDeviceInfo {
  root_device_name: string;
  ephemerals: Array<{ device_name: string; size: number }>;
  swap: { device_name: string; swap_size: number } | null;
  block_device_mapping: unknown[];
}

export interface InjectedFile {
  path: string;
  contents: string;
}

/** What the resource tracker reports for the node (nova's get_available_resource dict). */
export interface HostResources {
  vcpus: number;
  memory_mb: number;
  local_gb: number;
  vcpus_used: number;
  memory_mb_used: number;
  local_gb_used: number;
  hypervisor_type: string;
  /** Nova stores an int (1002000 for 1.2.0). */
  hypervisor_version: number;
  hypervisor_hostname: string;
  /** JSON text, as in the compute_nodes table. */
  cpu_info: string;
  numa_topology: string | null;
  supported_instances: Array<[string, string, string]>;
}

/** nova.virt.hardware.InstanceInfo */
export interface InstanceInfo {
  state: PowerStateValue;
  internal_id?: string;
}

export interface VncConsole {
  host: string;
  port: number;
  internal_access_path: string | null;
}

export interface SerialConsole {
  host: string;
  port: number;
}

export type RebootType = "SOFT" | "HARD";

/** The callback a driver uses to move task_state during a snapshot (Nova's update_task_state). */
export type UpdateTaskState = (taskState: string, expectedState?: string) => Promise<void>;

/** Services a driver may need from outside the node (the image API for snapshots and image downloads). */
export interface DriverServices {
  /** Upload the bytes of a snapshot to an image that the API already created (Glance PUT …/file). */
  uploadImage?(ctx: RequestContext, imageId: string, data: Buffer, meta: { disk_format: string; container_format: string }): Promise<void>;
}

export interface DriverOptions {
  /** The node's name, as nova's `host`. */
  host: string;
  /** Where the driver may keep node-local state (instance dirs, the fake hypervisor's guest list). */
  stateDir: string;
  /** The driver's own settings, read by each driver from pocketstack.conf. */
  config: { get(section: string, option: string): unknown; str(s: string, o: string): string; int(s: string, o: string): number };
  services?: DriverServices;
}

/** Capabilities the resource tracker turns into COMPUTE_* traits (nova.virt.driver capabilities). */
export interface DriverCapabilities {
  supports_attach_interface: boolean;
  supports_device_tagging: boolean;
  supports_multiattach: boolean;
  supports_trusted_certs: boolean;
  supported_image_types: string[];
}

/**
 * nova.virt.driver.ComputeDriver. Methods take Nova's argument lists (snake_case names, same order) so a
 * learner can put them side by side. Errors: InstanceNotFound when the hypervisor has no such guest.
 */
export interface ComputeDriver {
  readonly name: string;
  readonly capabilities: DriverCapabilities;

  /** Called once when the service starts, before anything else (connect to the hypervisor). */
  init_host(host: string): Promise<void>;
  /** Release what init_host took (graceful stop). Guests keep running, as they do when nova-compute stops. */
  cleanup_host(host: string): Promise<void>;
  get_available_resource(nodename: string): Promise<HostResources>;
  /** The node names this driver manages (one for every driver here). */
  get_available_nodes(): string[];

  spawn(
    context: RequestContext,
    instance: Instance,
    image_meta: ImageMeta,
    injected_files: InjectedFile[],
    admin_password: string | null,
    network_info: NetworkInfo,
    block_device_info: BlockDeviceInfo | null,
  ): Promise<void>;
  destroy(
    context: RequestContext,
    instance: Instance,
    network_info: NetworkInfo,
    block_device_info: BlockDeviceInfo | null,
    destroy_disks: boolean,
  ): Promise<void>;
  reboot(context: RequestContext, instance: Instance, network_info: NetworkInfo, reboot_type: RebootType): Promise<void>;
  /** timeout > 0: ask the guest to shut down (ACPI) and wait that long before pulling the plug. */
  power_off(instance: Instance, timeout: number, retry_interval: number): Promise<void>;
  power_on(context: RequestContext, instance: Instance, network_info: NetworkInfo): Promise<void>;
  pause(instance: Instance): Promise<void>;
  unpause(instance: Instance): Promise<void>;
  suspend(context: RequestContext, instance: Instance): Promise<void>;
  resume(context: RequestContext, instance: Instance, network_info: NetworkInfo): Promise<void>;
  snapshot(context: RequestContext, instance: Instance, image_id: string, update_task_state: UpdateTaskState): Promise<void>;
  /** Same-host resize: give the guest the new flavor's size (the instance carries the new flavor). */
  finish_migration(context: RequestContext, instance: Instance, power_on: boolean): Promise<void>;
  /** Undo a resize: back to the old flavor (the instance carries it again). */
  finish_revert_migration(context: RequestContext, instance: Instance, power_on: boolean): Promise<void>;

  get_info(instance: Instance): Promise<InstanceInfo>;
  /** Names (instance-%08x) of the guests the hypervisor knows. */
  list_instances(): Promise<string[]>;
  /** uuids of the guests the hypervisor knows. */
  list_instance_uuids(): Promise<string[]>;
  instance_exists(instance: Instance): Promise<boolean>;

  get_console_output(context: RequestContext, instance: Instance): Promise<string>;
  get_vnc_console(context: RequestContext, instance: Instance): Promise<VncConsole>;
  get_serial_console(context: RequestContext, instance: Instance): Promise<SerialConsole>;
}

/** The hypervisor does not know this guest (nova.exception.InstanceNotFound). */
export class InstanceNotFound extends Error {
  override name = "InstanceNotFound";
  constructor(readonly instance_id: string) {
    super(`Instance ${instance_id} could not be found.`);
  }
}

/** The guest exists but is not running (nova.exception.InstanceNotRunning). */
export class InstanceNotRunning extends Error {
  override name = "InstanceNotRunning";
  constructor(readonly instance_id: string) {
    super(`Instance ${instance_id} is not running.`);
  }
}

/** The operation is not valid in the guest's current power state (nova.exception.InstanceInvalidState). */
export class InstanceInvalidState extends Error {
  override name = "InstanceInvalidState";
}

/** A console type the driver cannot offer (nova.exception.ConsoleTypeUnavailable). */
export class ConsoleTypeUnavailable extends Error {
  override name = "ConsoleTypeUnavailable";
  constructor(readonly console_type: string) {
    super(`Unavailable console type ${console_type}.`);
  }
}

/** A driver failed to build the guest (nova.exception.InstanceDeployFailure); the manager reschedules. */
export class InstanceDeployFailure extends Error {
  override name = "InstanceDeployFailure";
}

type DriverFactory = (opts: DriverOptions) => Promise<ComputeDriver>;

/** Drivers by name (nova's compute_driver = libvirt.LibvirtDriver | fake.FakeDriver), loaded lazily. */
const registry = new Map<string, DriverFactory>([
  ["fake", async (opts) => new (await import("./fake/driver.js")).FakeDriver(opts)],
  ["qemu", async (opts) => new (await import("./qemu/driver.js")).QemuDriver(opts)],
]);

/** Add a driver (the qemu driver registers itself here, or a test adds one). */
export function registerDriver(name: string, factory: DriverFactory): void {
  registry.set(name, factory);
}

export function driverNames(): string[] {
  return [...registry.keys()];
}

export class UnknownDriver extends Error {
  override name = "UnknownDriver";
}

export async function loadDriver(name: string, opts: DriverOptions): Promise<ComputeDriver> {
  const factory = registry.get(name);
  if (!factory) throw new UnknownDriver(`compute driver '${name}' is not known (known: ${driverNames().join(", ")})`);
  return factory(opts);
}

/** compute_driver = auto: qemu where qemu-system-x86_64 is installed and the driver exists, else fake. */
export function resolveDriverName(requested: string): string {
  if (requested !== "auto") return requested;
  const onPath = (process.env.PATH ?? "").split(delimiter).some((d) => d && existsSync(join(d, "qemu-system-x86_64")));
  return onPath && registry.has("qemu") ? "qemu" : "fake";
}
