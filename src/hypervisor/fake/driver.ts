// The fake hypervisor (nova.virt.fake.FakeDriver): guests are records, not VMs, yet they move through
// the same steps and power states as a libvirt guest, print a boot log, take a configurable time to
// boot and fail on demand. Used for scale and fault tests and for `--driver fake` nodes.
import { join } from "node:path";
import type { RequestContext } from "../../engine/common/context.js";
import { withSpan } from "../../engine/common/trace/tracer.js";
import { TaskState } from "../../engine/compute/manager/states.js";
import {
  type BlockDeviceInfo,
  type ComputeDriver,
  type DriverCapabilities,
  type DriverOptions,
  type HostResources,
  type ImageMeta,
  type InjectedFile,
  type Instance,
  type InstanceInfo,
  InstanceDeployFailure,
  InstanceInvalidState,
  InstanceNotFound,
  InstanceNotRunning,
  type NetworkInfo,
  PowerState,
  type RebootType,
  type SerialConsole,
  type UpdateTaskState,
  type VncConsole,
} from "../driver.js";
import { injectedSpawnFailure } from "./failure.js";
import { type FakeGuest, appendBootLog, appendShutdownLog } from "./guest.js";
import { GuestStore } from "./guest-store.js";

const sleep = (ms: number) => (ms > 0 ? new Promise((r) => setTimeout(r, ms)) : Promise.resolve());
const VNC_BASE_PORT = 5900;
const SERIAL_BASE_PORT = 10000;

export class FakeDriver implements ComputeDriver {
  readonly name = "fake";
  readonly capabilities: DriverCapabilities = {
    supports_attach_interface: true,
    supports_device_tagging: true,
    supports_multiattach: true,
    supports_trusted_certs: true,
    supported_image_types: ["raw", "qcow2"],
  };
  private readonly store: GuestStore;
  private readonly host: string;
  private readonly bootTimeMs: number;
  private readonly total: { vcpus: number; memory_mb: number; local_gb: number };

  constructor(opts: DriverOptions) {
    this.host = opts.host;
    this.store = new GuestStore(join(opts.stateDir, "fake-guests.json"));
    this.bootTimeMs = opts.config.int("compute", "fake_boot_time_ms");
    this.total = {
      vcpus: opts.config.int("compute", "resource_provider_vcpus"),
      memory_mb: opts.config.int("compute", "resource_provider_memory_mb"),
      local_gb: opts.config.int("compute", "resource_provider_disk_gb"),
    };
    this.services = opts.services ?? {};
  }
  private readonly services: NonNullable<DriverOptions["services"]>;

  /** The guests, for tests and the node's own diagnostics. */
  get guests(): ReadonlyMap<string, FakeGuest> {
    return this.store.guests;
  }

  async init_host(_host: string): Promise<void> {
    this.store.load();
  }

  async cleanup_host(_host: string): Promise<void> {
    this.store.save();
  }

  get_available_nodes(): string[] {
    return [this.host];
  }

  async get_available_resource(nodename: string): Promise<HostResources> {
    let vcpus = 0;
    let mem = 0;
    let disk = 0;
    for (const g of this.store.guests.values()) {
      vcpus += g.vcpus;
      mem += g.memory_mb;
      disk += g.root_gb;
    }
    return {
      ...this.total,
      vcpus_used: vcpus,
      memory_mb_used: mem,
      local_gb_used: disk,
      hypervisor_type: "fake",
      hypervisor_version: 1000,
      hypervisor_hostname: nodename,
      cpu_info: JSON.stringify({
        arch: "x86_64",
        model: "fake-cpu",
        vendor: "pocketstack",
        topology: { sockets: 1, cores: this.total.vcpus, threads: 1 },
        features: [],
      }),
      numa_topology: null,
      supported_instances: [
        ["x86_64", "fake", "hvm"],
        ["i686", "fake", "hvm"],
      ],
    };
  }

  /** spawn → _create_image → _create_domain_and_network → Guest.create + launch → wait for boot, as libvirt's. */
  async spawn(
    _context: RequestContext,
    instance: Instance,
    image_meta: ImageMeta,
    _injected_files: InjectedFile[],
    _admin_password: string | null,
    network_info: NetworkInfo,
    _block_device_info: BlockDeviceInfo | null,
  ): Promise<void> {
    if (this.store.guests.has(instance.uuid)) throw new InstanceDeployFailure(`Instance ${instance.uuid} already exists on the hypervisor`);
    await withSpan("_create_image", "driver", async (span) => {
      span.set("image", image_meta.id ?? instance.image_ref ?? null);
      span.set("root_gb", instance.flavor.root_gb);
      const reason = injectedSpawnFailure(instance, image_meta, this.host);
      if (reason) throw new InstanceDeployFailure(reason);
    });
    const guest: FakeGuest = {
      uuid: instance.uuid,
      name: instance.name,
      hostname: instance.hostname || instance.display_name || instance.name,
      state: PowerState.NOSTATE,
      vcpus: instance.flavor.vcpus,
      memory_mb: instance.flavor.memory_mb,
      root_gb: instance.flavor.root_gb,
      vnc_port: this.freeVncPort(),
      log: [],
      clock: 0,
      boots: 0,
      created_at: new Date().toISOString(),
    };
    await withSpan("_create_domain_and_network", "driver", async () => {
      // plug_vifs and the (no-op) firewall are instant here; the domain is defined, then started.
      await withSpan("Guest.create", "driver", async () => {
        this.store.guests.set(guest.uuid, guest);
        this.store.save();
      });
      await withSpan("launch", "driver", async () => {
        guest.state = PowerState.RUNNING;
        this.store.save();
      });
    });
    await withSpan("_wait_for_boot", "driver", async (span) => {
      span.set("boot_time_ms", this.bootTimeMs);
      await sleep(this.bootTimeMs);
      appendBootLog(guest, firstIp(network_info, guest));
      this.store.save();
    });
  }

  async destroy(
    _context: RequestContext,
    instance: Instance,
    _network_info?: NetworkInfo,
    _block_device_info?: BlockDeviceInfo | null,
    _destroy_disks?: boolean,
  ): Promise<void> {
    // Nova's destroy is idempotent: a guest that is already gone is not an error.
    if (this.store.guests.delete(instance.uuid)) this.store.save();
  }

  async reboot(_context: RequestContext, instance: Instance, network_info: NetworkInfo, reboot_type: RebootType): Promise<void> {
    const g = this.guest(instance);
    if (reboot_type === "SOFT" && g.state !== PowerState.RUNNING) throw new InstanceNotRunning(instance.uuid);
    if (g.state === PowerState.RUNNING) appendShutdownLog(g, "reboot");
    await sleep(this.bootTimeMs);
    g.state = PowerState.RUNNING;
    appendBootLog(g, firstIp(network_info, g));
    this.store.save();
  }

  async power_off(instance: Instance, _timeout: number, _retry_interval: number): Promise<void> {
    const g = this.guest(instance);
    if (g.state !== PowerState.SHUTDOWN) appendShutdownLog(g, "poweroff");
    g.state = PowerState.SHUTDOWN;
    this.store.save();
  }

  async power_on(_context: RequestContext, instance: Instance, network_info: NetworkInfo): Promise<void> {
    const g = this.guest(instance);
    if (g.state === PowerState.RUNNING) return;
    await sleep(this.bootTimeMs);
    g.state = PowerState.RUNNING;
    appendBootLog(g, firstIp(network_info, g));
    this.store.save();
  }

  async pause(instance: Instance): Promise<void> {
    this.transition(instance, PowerState.RUNNING, PowerState.PAUSED, "pause");
  }

  async unpause(instance: Instance): Promise<void> {
    this.transition(instance, PowerState.PAUSED, PowerState.RUNNING, "unpause");
  }

  async suspend(_context: RequestContext, instance: Instance): Promise<void> {
    const g = this.guest(instance);
    if (g.state !== PowerState.RUNNING && g.state !== PowerState.PAUSED) throw new InstanceNotRunning(instance.uuid);
    g.state = PowerState.SUSPENDED;
    this.store.save();
  }

  async resume(_context: RequestContext, instance: Instance, _network_info?: NetworkInfo): Promise<void> {
    this.transition(instance, PowerState.SUSPENDED, PowerState.RUNNING, "resume");
  }

  async snapshot(context: RequestContext, instance: Instance, image_id: string, update_task_state: UpdateTaskState): Promise<void> {
    const g = this.guest(instance);
    await update_task_state(TaskState.IMAGE_PENDING_UPLOAD);
    await update_task_state(TaskState.IMAGE_UPLOADING, TaskState.IMAGE_PENDING_UPLOAD);
    // The "disk" of a fake guest: a small raw blob naming what it is a snapshot of.
    const data = Buffer.from(`pocketstack fake snapshot of ${g.name} (${g.uuid}) taken ${new Date().toISOString()}\n`);
    await this.services.uploadImage?.(context, image_id, data, { disk_format: "raw", container_format: "bare" });
  }

  async finish_migration(_context: RequestContext, instance: Instance, power_on: boolean): Promise<void> {
    this.resize(instance, power_on);
  }

  async finish_revert_migration(_context: RequestContext, instance: Instance, power_on: boolean): Promise<void> {
    this.resize(instance, power_on);
  }

  async get_info(instance: Instance): Promise<InstanceInfo> {
    const g = this.guest(instance);
    return { state: g.state, internal_id: g.name };
  }

  async list_instances(): Promise<string[]> {
    return [...this.store.guests.values()].map((g) => g.name);
  }

  async list_instance_uuids(): Promise<string[]> {
    return [...this.store.guests.keys()];
  }

  async instance_exists(instance: Instance): Promise<boolean> {
    return this.store.guests.has(instance.uuid);
  }

  async get_console_output(_context: RequestContext, instance: Instance): Promise<string> {
    return this.guest(instance).log.join("\n");
  }

  async get_vnc_console(_context: RequestContext, instance: Instance): Promise<VncConsole> {
    const g = this.guest(instance);
    return { host: "127.0.0.1", port: g.vnc_port, internal_access_path: null };
  }

  async get_serial_console(_context: RequestContext, instance: Instance): Promise<SerialConsole> {
    const g = this.guest(instance);
    return { host: "127.0.0.1", port: SERIAL_BASE_PORT + (g.vnc_port - VNC_BASE_PORT) };
  }

  /** Test hook: the guest changes state behind Nova's back (crashes, shuts itself down). */
  setPowerStateBehindNovasBack(uuid: string, state: FakeGuest["state"]): void {
    const g = this.store.guests.get(uuid);
    if (!g) throw new InstanceNotFound(uuid);
    g.state = state;
    this.store.save();
  }

  private guest(instance: Instance): FakeGuest {
    const g = this.store.guests.get(instance.uuid);
    if (!g) throw new InstanceNotFound(instance.uuid);
    return g;
  }

  private transition(instance: Instance, from: FakeGuest["state"], to: FakeGuest["state"], what: string): void {
    const g = this.guest(instance);
    if (g.state !== from) throw new InstanceInvalidState(`Cannot ${what} instance ${instance.uuid} while its power state is ${g.state}`);
    g.state = to;
    this.store.save();
  }

  private resize(instance: Instance, power_on: boolean): void {
    const g = this.guest(instance);
    g.vcpus = instance.flavor.vcpus;
    g.memory_mb = instance.flavor.memory_mb;
    g.root_gb = instance.flavor.root_gb;
    g.state = power_on ? PowerState.RUNNING : PowerState.SHUTDOWN;
    if (power_on) appendBootLog(g, "10.0.0.2");
    this.store.save();
  }

  private freeVncPort(): number {
    const used = new Set([...this.store.guests.values()].map((g) => g.vnc_port));
    let port = VNC_BASE_PORT;
    while (used.has(port)) port++;
    return port;
  }
}

/** The guest's address from network_info, else a stable made-up one (there is no Neutron here). */
function firstIp(network_info: NetworkInfo, g: FakeGuest): string {
  const ip = network_info[0]?.network.subnets[0]?.ips[0]?.address;
  if (ip) return ip;
  return `10.0.0.${2 + (g.vnc_port - VNC_BASE_PORT)}`;
}
