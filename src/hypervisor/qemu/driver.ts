// The QEMU hypervisor driver: nova.virt.libvirt.LibvirtDriver with `virt_type = qemu`, minus libvirtd.
// Real guests run under TCG; this driver keeps what libvirt would keep (the domain XML, the pid, the
// monitor) in the instance directory, so a restarted worker finds its running guests again.
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statfsSync, writeFileSync } from "node:fs";
import { cpus, totalmem } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import type { RequestContext } from "../../engine/common/context.js";
import { log } from "../../engine/common/log.js";
import { withSpan } from "../../engine/common/trace/tracer.js";
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
  type PowerStateValue,
  type RebootType,
  type SerialConsole,
  type UpdateTaskState,
  type VncConsole,
} from "../driver.js";
import { configDriveContent, makeConfigDrive } from "./config-drive.js";
import { readConsoleLog } from "./console-log.js";
import { type DomainSpec, domainFromXml, domainToXml } from "./domain.js";
import { QemuStartError, isOurQemu, killOurQemu, launchQemu, readPid, waitForExit } from "./guest-process.js";
import { ImageCache } from "./image-cache.js";
import { GlanceHttpImageSource, type ImageSource } from "./image-source.js";
import { type InstanceFiles, instanceFiles } from "./instance-files.js";
import { type QemuOptions, qemuOptions } from "./options.js";
import { PORT_CLASH, freeTcpPort, freeVncPort } from "./ports.js";
import { QmpClient, type QmpEvent } from "./qmp.js";
import { BootThrottle } from "./throttle.js";

const GiB = 1024 ** 3;

/** nova.virt.event lifecycle transitions, heard from QMP events. */
export type LifecycleTransition = "STARTED" | "STOPPED" | "PAUSED" | "RESUMED" | "SUSPENDED";
export interface LifecycleEvent {
  uuid: string;
  transition: LifecycleTransition;
  /** the QMP event behind it */
  cause: string;
}

/** QMP `query-status` → Nova power state (as nova/virt/libvirt/guest.py maps libvirt's states). */
export function powerStateOfQmpStatus(status: string): PowerStateValue {
  switch (status) {
    case "running":
      return PowerState.RUNNING;
    case "paused":
    case "debug":
    case "watchdog":
      return PowerState.PAUSED;
    case "suspended":
      return PowerState.SUSPENDED;
    case "shutdown":
      return PowerState.SHUTDOWN;
    case "internal-error":
    case "io-error":
    case "guest-panicked":
      return PowerState.CRASHED;
    default: // prelaunch, inmigrate, postmigrate, save-vm, restore-vm, finish-migrate…
      return PowerState.NOSTATE;
  }
}

/** A guest the driver is watching: its definition, pid and monitor connection. */
interface Guest {
  uuid: string;
  files: InstanceFiles;
  spec: DomainSpec;
  pid?: number;
  qmp?: QmpClient;
  /** release of the boot-throttle slot while the guest boots */
  releaseBoot?: () => void;
}

export interface QemuDriverExtras {
  /** where images come from (default: Glance over HTTP) */
  imageSource?: ImageSource;
  /** override pocketstack.conf (tests) */
  overrides?: Partial<QemuOptions>;
}

export class QemuDriver implements ComputeDriver {
  readonly name = "qemu";
  readonly capabilities: DriverCapabilities = {
    supports_attach_interface: false,
    supports_device_tagging: false,
    supports_multiattach: false,
    supports_trusted_certs: false,
    supported_image_types: ["qcow2", "raw"],
  };
  readonly options: QemuOptions;
  readonly imageCache: ImageCache;
  readonly throttle: BootThrottle;
  private readonly host: string;
  private readonly guests = new Map<string, Guest>();
  private readonly lifecycleListeners = new Set<(e: LifecycleEvent) => void>();
  private readonly services: NonNullable<DriverOptions["services"]>;
  private readonly imageSource: ImageSource;

  constructor(opts: DriverOptions, extras: QemuDriverExtras = {}) {
    this.host = opts.host;
    this.options = { ...qemuOptions(opts, join(opts.stateDir, "instances")), ...extras.overrides };
    this.services = opts.services ?? {};
    this.imageSource = extras.imageSource ?? new GlanceHttpImageSource(this.options.glanceEndpoint);
    this.imageCache = new ImageCache(join(this.options.instancesPath, "_base"), this.imageSource);
    this.throttle = new BootThrottle(this.options.maxConcurrentBuilds);
  }

  // ------------------------------------------------------------------ host

  /** Find the guests this node already runs (after a worker restart) and re-attach to their monitors. */
  async init_host(_host: string): Promise<void> {
    mkdirSync(this.options.instancesPath, { recursive: true });
    const r = await execa(this.options.emulator, ["--version"], { reject: false });
    if (r.exitCode !== 0) throw new Error(`${this.options.emulator} is not usable: ${r.stderr || r.message}`);
    let attached = 0;
    for (const uuid of this.definedUuids()) {
      const g = this.loadGuest(uuid);
      if (!g || !isOurQemu(g.pid, g.files.qmpSocket)) continue;
      try {
        await this.attach(g, 5_000);
        attached++;
      } catch (err) {
        log.warning(`guest ${uuid} (pid ${g.pid}) runs but its monitor does not answer: ${(err as Error).message}`);
      }
    }
    log.info(`qemu driver on ${this.host}: ${this.definedUuids().length} guest(s) defined, ${attached} running and re-attached`);
  }

  /** Stop watching; the guests keep running (as they do when nova-compute stops). */
  async cleanup_host(_host: string): Promise<void> {
    for (const g of this.guests.values()) {
      g.qmp?.close();
      g.releaseBoot?.();
    }
    this.guests.clear();
  }

  get_available_nodes(): string[] {
    return [this.host];
  }

  async get_available_resource(nodename: string): Promise<HostResources> {
    let vcpusUsed = 0;
    let memUsed = 0;
    let diskUsed = 0;
    for (const uuid of this.definedUuids()) {
      const g = this.loadGuest(uuid);
      if (!g) continue;
      vcpusUsed += g.spec.vcpus;
      memUsed += g.spec.memoryMiB;
      diskUsed += g.spec.nova.rootGb;
    }
    mkdirSync(this.options.instancesPath, { recursive: true });
    const fs = statfsSync(this.options.instancesPath);
    const version = await this.qemuVersion();
    return {
      vcpus: cpus().length,
      memory_mb: Math.floor(totalmem() / 1024 / 1024),
      local_gb: Math.floor((fs.blocks * fs.bsize) / GiB),
      vcpus_used: vcpusUsed,
      memory_mb_used: memUsed,
      local_gb_used: diskUsed,
      hypervisor_type: "QEMU",
      hypervisor_version: version,
      hypervisor_hostname: nodename,
      cpu_info: JSON.stringify({
        arch: "x86_64",
        model: "max",
        vendor: "QEMU",
        topology: { sockets: 1, cores: cpus().length, threads: 1 },
        features: [],
      }),
      numa_topology: null,
      supported_instances: [["x86_64", "qemu", "hvm"]],
    };
  }

  private async qemuVersion(): Promise<number> {
    const r = await execa(this.options.emulator, ["--version"], { reject: false });
    const m = /version (\d+)\.(\d+)\.(\d+)/.exec(r.stdout);
    return m ? Number(m[1]) * 1_000_000 + Number(m[2]) * 1000 + Number(m[3]) : 0;
  }

  // ------------------------------------------------------------------ spawn

  async spawn(
    context: RequestContext,
    instance: Instance,
    image_meta: ImageMeta,
    _injected_files: InjectedFile[],
    _admin_password: string | null,
    network_info: NetworkInfo,
    _block_device_info: BlockDeviceInfo | null,
  ): Promise<void> {
    const files = instanceFiles(this.options.instancesPath, instance.uuid);
    if (existsSync(files.domainXml)) throw new InstanceDeployFailure(`instance ${instance.uuid} already has a guest on ${this.host}`);
    await withSpan("spawn", "driver", async (span) => {
      span.set("instance", instance.uuid);
      // max_concurrent_builds: the slot is held until the guest prints `login:` (see watchBoot)
      const release = await withSpan("max_concurrent_builds", "driver", async (s) => {
        s.set("limit", this.throttle.limit);
        return this.throttle.acquire((position) => {
          s.set("queue_position", position);
          log.info(`instance ${instance.uuid} waits for a build slot (queue position ${position}, ${this.throttle.running} booting)`);
        });
      });
      try {
        mkdirSync(files.dir, { recursive: true });
        await withSpan("_create_image", "driver", (s) => this.createImage(context, instance, image_meta, network_info, files, s.set));
        const spec = await withSpan("_get_guest_xml", "driver", async (s) => {
          const d = await this.buildDomain(instance, image_meta, network_info, files);
          s.set("domain_xml", domainToXml(d));
          return d;
        });
        const g: Guest = { uuid: instance.uuid, files, spec, releaseBoot: release };
        this.guests.set(instance.uuid, g);
        await withSpan("_create_domain_and_network", "driver", () =>
          withSpan("Guest.create", "driver", async (s) => {
            writeFileSync(files.domainXml, domainToXml(g.spec));
            await withSpan("launch", "driver", async (l) => {
              await this.launch(g);
              l.set("pid", g.pid);
              l.set("qemu_command_line", readFileSync(files.commandLine, "utf8").trim());
            });
            s.set("vnc_port", g.spec.vnc.port);
          }),
        );
        this.watchBoot(g);
      } catch (err) {
        release();
        const g = this.guests.get(instance.uuid);
        if (g) this.stopWatching(g);
        killOurQemu(readPid(files.pidFile), files.qmpSocket);
        rmSync(files.dir, { recursive: true, force: true });
        if (err instanceof InstanceDeployFailure) throw err;
        throw new InstanceDeployFailure(`spawn of ${instance.uuid} failed: ${(err as Error).message}`);
      }
    });
  }

  /** _create_image: the base from the image cache, the instance's qcow2 overlay, the config drive. */
  private async createImage(
    ctx: RequestContext,
    instance: Instance,
    image: ImageMeta,
    networkInfo: NetworkInfo,
    files: InstanceFiles,
    note: (k: string, v: unknown) => void,
  ): Promise<void> {
    const hitsBefore = this.imageCache.hits;
    const base = await this.imageCache.fetch(ctx, image);
    note("image_cache", this.imageCache.hits > hitsBefore ? "hit" : "miss");
    note("base", base);
    const info = JSON.parse((await execa("qemu-img", ["info", "--output=json", base])).stdout) as {
      "virtual-size": number;
      format: string;
    };
    const rootGb = instance.flavor.root_gb;
    if (rootGb > 0 && rootGb * GiB < info["virtual-size"])
      throw new InstanceDeployFailure(
        `Flavor's disk is too small for requested image. Flavor disk is ${rootGb * GiB} bytes, image is ${info["virtual-size"]} bytes.`,
      );
    const size = rootGb > 0 ? [`${rootGb}G`] : [];
    await execa("qemu-img", ["create", "-q", "-f", "qcow2", "-b", base, "-F", info.format, files.disk, ...size]);
    if (
      this.options.forceConfigDrive ||
      instance.config_drive === true ||
      instance.config_drive === "True" ||
      instance.config_drive === "true"
    ) {
      await makeConfigDrive(files.configDrive, files.configDriveWork, configDriveContent(instance, networkInfo, this.options.dhcpDomain));
      note("config_drive", files.configDrive);
    }
  }

  private async buildDomain(instance: Instance, image: ImageMeta, networkInfo: NetworkInfo, files: InstanceFiles): Promise<DomainSpec> {
    const taken = this.portsInUse();
    const vncPort = await freeVncPort(taken.vnc, this.options.vncListen);
    taken.tcp.add(vncPort);
    const sshPort = await freeTcpPort(taken.tcp, this.options.myIp);
    taken.tcp.add(sshPort);
    const serialPort = await freeTcpPort(taken.tcp, "127.0.0.1");
    const mac = networkInfo[0]?.address ?? macOf(instance.uuid);
    const disks: DomainSpec["disks"] = [{ file: files.disk, format: "qcow2", target: "vda", readonly: false, bootOrder: 1 }];
    if (existsSync(files.configDrive)) disks.push({ file: files.configDrive, format: "raw", target: "vdb", readonly: true });
    return {
      name: instance.name,
      uuid: instance.uuid,
      title: instance.display_name ?? instance.name,
      memoryMiB: instance.flavor.memory_mb,
      vcpus: instance.flavor.vcpus,
      machine: this.options.machineType,
      emulator: this.options.emulator,
      tcgCacheMiB: this.options.tcgCacheMiB,
      disks,
      interfaces: [
        { mac, model: "virtio", portForwards: [{ proto: "tcp", address: this.options.myIp, hostPort: sshPort, guestPort: 22 }] },
      ],
      serial: { host: "127.0.0.1", port: serialPort, logFile: files.consoleLog },
      vnc: { listen: this.options.vncListen, port: vncPort },
      runtime: { qmpSocket: files.qmpSocket, pidFile: files.pidFile },
      nova: {
        flavor: instance.flavor.name,
        rootGb: instance.flavor.root_gb,
        owner: instance.project_id ?? "",
        image: image.id ?? instance.image_ref ?? "",
        creationTime: new Date().toISOString(),
      },
    };
  }

  /** Ports our defined guests hold (a stopped guest keeps its ports, as its XML names them). */
  private portsInUse(): { vnc: Set<number>; tcp: Set<number> } {
    const vnc = new Set<number>();
    const tcp = new Set<number>();
    for (const uuid of this.definedUuids()) {
      const g = this.guests.get(uuid) ?? this.loadGuest(uuid);
      if (!g) continue;
      vnc.add(g.spec.vnc.port);
      tcp.add(g.spec.serial.port);
      for (const i of g.spec.interfaces) for (const f of i.portForwards) tcp.add(f.hostPort);
    }
    return { vnc, tcp };
  }

  /**
   * Start QEMU for this guest and connect to its monitor. When a port was taken between our probe and
   * QEMU's bind (another worker, another QEMU), pick new ports, rewrite the XML and try again.
   */
  private async launch(g: Guest, incoming?: string): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        g.pid = await launchQemu(g.spec, g.files.commandLine, { incoming });
        break;
      } catch (err) {
        if (!(err instanceof QemuStartError) || !PORT_CLASH.test(err.stderr) || attempt >= 4) throw err;
        log.warning(`guest ${g.uuid}: ${err.stderr}; picking other ports (attempt ${attempt + 1})`);
        await this.reallocatePorts(g);
      }
    }
    await this.attach(g, 10_000);
  }

  private async reallocatePorts(g: Guest): Promise<void> {
    const taken = this.portsInUse();
    g.spec.vnc.port = await freeVncPort(new Set([...taken.vnc, g.spec.vnc.port]), g.spec.vnc.listen);
    taken.tcp.add(g.spec.serial.port);
    for (const i of g.spec.interfaces)
      for (const f of i.portForwards) {
        taken.tcp.add(f.hostPort);
        f.hostPort = await freeTcpPort(taken.tcp, f.address);
        taken.tcp.add(f.hostPort);
      }
    g.spec.serial.port = await freeTcpPort(taken.tcp, g.spec.serial.host);
    writeFileSync(g.files.domainXml, domainToXml(g.spec));
  }

  /** Open the guest's QMP monitor and turn its events into lifecycle events. */
  private async attach(g: Guest, timeoutMs: number): Promise<void> {
    g.qmp?.close();
    const qmp = new QmpClient(g.files.qmpSocket);
    await qmp.connect(timeoutMs);
    g.qmp = qmp;
    this.guests.set(g.uuid, g);
    qmp.onEvent((e: QmpEvent) => {
      const t: Record<string, LifecycleTransition> = { STOP: "PAUSED", RESUME: "RESUMED", SHUTDOWN: "STOPPED", SUSPEND: "SUSPENDED" };
      const transition = t[e.event];
      if (transition) this.emit({ uuid: g.uuid, transition, cause: e.event });
    });
    qmp.onClose(() => {
      if (g.qmp !== qmp) return;
      g.qmp = undefined;
      g.releaseBoot?.();
      g.releaseBoot = undefined;
      this.emit({ uuid: g.uuid, transition: "STOPPED", cause: "monitor closed (QEMU exited)" });
    });
  }

  /** Release the build slot once the guest prints `login:` on its serial console (or dies, or times out). */
  private watchBoot(g: Guest): void {
    const started = Date.now();
    const release = g.releaseBoot;
    if (!release) return;
    const tick = () => {
      if (g.releaseBoot !== release) return; // released elsewhere (exit, destroy)
      const booted = readConsoleLog(g.files.consoleLog, 4096).includes("login:");
      if (booted || !isOurQemu(g.pid, g.files.qmpSocket) || Date.now() - started > this.options.bootTimeoutS * 1000) {
        if (booted) log.info(`instance ${g.uuid} booted to login: in ${((Date.now() - started) / 1000).toFixed(1)} s`);
        g.releaseBoot = undefined;
        release();
        return;
      }
      setTimeout(tick, 250).unref();
    };
    setTimeout(tick, 250).unref();
  }

  private stopWatching(g: Guest): void {
    g.releaseBoot?.();
    g.releaseBoot = undefined;
    const qmp = g.qmp;
    g.qmp = undefined;
    qmp?.close();
    this.guests.delete(g.uuid);
  }

  /** Boot a defined-but-stopped guest from its libvirt.xml (power_on, soft reboot, resume). */
  private async startDefined(g: Guest): Promise<void> {
    const release = await this.throttle.acquire((position) =>
      log.info(`instance ${g.uuid} waits for a boot slot (queue position ${position})`),
    );
    g.releaseBoot = release;
    try {
      await this.launch(g);
      this.watchBoot(g);
    } catch (err) {
      release();
      g.releaseBoot = undefined;
      throw err;
    }
  }

  // ------------------------------------------------------------------ lifecycle

  async destroy(
    _context: RequestContext,
    instance: Instance,
    _network_info: NetworkInfo,
    _block_device_info: BlockDeviceInfo | null,
    destroy_disks: boolean,
  ): Promise<void> {
    const files = instanceFiles(this.options.instancesPath, instance.uuid);
    const g = this.guests.get(instance.uuid) ?? this.loadGuest(instance.uuid);
    const pid = g?.pid ?? readPid(files.pidFile);
    if (g) await this.hardStop(g);
    else killOurQemu(pid, files.qmpSocket);
    if (g) this.stopWatching(g);
    if (destroy_disks) {
      rmSync(files.dir, { recursive: true, force: true });
      rmSync(files.qmpSocket, { force: true });
    }
  }

  /** `quit` over QMP, then SIGKILL of our own pid if it lingers. */
  private async hardStop(g: Guest): Promise<void> {
    if (!isOurQemu(g.pid, g.files.qmpSocket)) return;
    const pid = g.pid as number;
    try {
      await this.monitor(g).then((q) => q.execute("quit"));
    } catch {
      /* the monitor is gone: fall through to the pid */
    }
    if (!(await waitForExit(pid, g.files.qmpSocket, 5_000))) {
      killOurQemu(pid, g.files.qmpSocket);
      await waitForExit(pid, g.files.qmpSocket, 5_000);
    }
    rmSync(g.files.suspendedMark, { force: true });
  }

  async power_off(instance: Instance, timeout: number, retry_interval: number): Promise<void> {
    const g = this.requireGuest(instance);
    if (!isOurQemu(g.pid, g.files.qmpSocket)) return;
    const pid = g.pid as number;
    if (timeout > 0 && !existsSync(g.files.suspendedMark)) {
      // clean shutdown: the ACPI power button, pressed again every retry_interval (a press during early
      // boot, before the guest's acpid runs, is lost), then pull the plug after `timeout` seconds
      const q = await this.monitor(g);
      await q.execute("cont").catch(() => {});
      const deadline = Date.now() + timeout * 1000;
      while (Date.now() < deadline) {
        await q.execute("system_powerdown").catch(() => {});
        const wait = Math.min(Math.max(retry_interval, 1) * 1000, deadline - Date.now());
        if (await waitForExit(pid, g.files.qmpSocket, wait)) break;
      }
    }
    await this.hardStop(g);
    g.releaseBoot?.();
    g.releaseBoot = undefined;
  }

  async power_on(_context: RequestContext, instance: Instance, _network_info: NetworkInfo): Promise<void> {
    const g = this.requireGuest(instance);
    if (isOurQemu(g.pid, g.files.qmpSocket)) {
      // Nova's libvirt power_on is a hard reboot; a running guest only needs to be running again
      rmSync(g.files.suspendedMark, { force: true });
      await (await this.monitor(g)).execute("cont");
      return;
    }
    await this.startDefined(g);
  }

  async reboot(_context: RequestContext, instance: Instance, _network_info: NetworkInfo, reboot_type: RebootType): Promise<void> {
    const g = this.requireGuest(instance);
    if (!isOurQemu(g.pid, g.files.qmpSocket)) {
      await this.startDefined(g);
      return;
    }
    rmSync(g.files.suspendedMark, { force: true });
    const q = await this.monitor(g);
    if (reboot_type === "SOFT") {
      // Nova: shut the guest down cleanly, then start it again; HARD if it does not go down in time
      await q.execute("cont").catch(() => {});
      await q.execute("system_powerdown").catch(() => {});
      if (await waitForExit(g.pid as number, g.files.qmpSocket, this.options.shutdownTimeoutS * 1000)) {
        await this.startDefined(g);
        return;
      }
      log.warning(`instance ${g.uuid} did not shut down for a soft reboot: rebooting hard`);
    }
    await q.execute("system_reset");
    await q.execute("cont").catch(() => {});
  }

  async pause(instance: Instance): Promise<void> {
    await (await this.runningMonitor(instance)).execute("stop");
  }

  async unpause(instance: Instance): Promise<void> {
    await (await this.runningMonitor(instance)).execute("cont");
  }

  /**
   * Suspend: the vCPUs stop (QMP `stop`) and a mark in the instance dir says "suspended", so get_info
   * reports SUSPENDED (not PAUSED) and survives a worker restart. Memory stays in the QEMU process
   * (libvirt's managedsave would write it to disk and end the process; not done here: an idle guest
   * costs <1 % CPU and its RAM, and resume is instant).
   */
  async suspend(_context: RequestContext, instance: Instance): Promise<void> {
    const q = await this.runningMonitor(instance);
    await q.execute("stop");
    writeFileSync(this.requireGuest(instance).files.suspendedMark, `${new Date().toISOString()}\n`);
  }

  async resume(_context: RequestContext, instance: Instance, _network_info: NetworkInfo): Promise<void> {
    const g = this.requireGuest(instance);
    if (!existsSync(g.files.suspendedMark)) throw new InstanceInvalidState(`instance ${instance.uuid} is not suspended`);
    await (await this.runningMonitor(instance)).execute("cont");
    rmSync(g.files.suspendedMark, { force: true });
  }

  /**
   * Snapshot (nova's cold snapshot): pause, flatten the overlay + base into one qcow2 with qemu-img,
   * unpause, upload the file to the image the API created.
   */
  async snapshot(context: RequestContext, instance: Instance, image_id: string, update_task_state: UpdateTaskState): Promise<void> {
    const g = this.requireGuest(instance);
    await update_task_state("image_pending_upload");
    const out = join(g.files.dir, `snapshot-${image_id}.qcow2`);
    const running = isOurQemu(g.pid, g.files.qmpSocket);
    const wasRunning = running && (await this.status(g)) === "running";
    try {
      await withSpan("snapshot_extract", "driver", async () => {
        if (wasRunning) await (await this.monitor(g)).execute("stop");
        try {
          // -U: QEMU holds the image lock while it runs; the guest is paused, so the read is consistent
          await execa("qemu-img", ["convert", ...(running ? ["-U"] : []), "-f", "qcow2", "-O", "qcow2", g.files.disk, out]);
        } finally {
          if (wasRunning) await (await this.monitor(g)).execute("cont");
        }
      });
      await update_task_state("image_uploading", "image_pending_upload");
      await withSpan("snapshot_upload", "driver", async () => {
        if (this.services.uploadImage)
          await this.services.uploadImage(context, image_id, readFileSync(out), { disk_format: "qcow2", container_format: "bare" });
        else await this.imageSource.upload(context, image_id, out);
      });
    } finally {
      rmSync(out, { force: true });
    }
  }

  /** Same-host resize: grow the overlay to the new root disk, redefine memory/vcpus, start again. */
  async finish_migration(context: RequestContext, instance: Instance, power_on: boolean): Promise<void> {
    const g = this.requireGuest(instance);
    await this.power_off(instance, 0, 0);
    const info = JSON.parse((await execa("qemu-img", ["info", "-U", "--output=json", g.files.disk])).stdout) as { "virtual-size": number };
    if (instance.flavor.root_gb * GiB > info["virtual-size"])
      await execa("qemu-img", ["resize", "-q", g.files.disk, `${instance.flavor.root_gb}G`]);
    this.redefineFlavor(g, instance);
    if (power_on) await this.power_on(context, instance, []);
  }

  /** Revert a resize: the old memory/vcpus again (a qcow2 does not shrink, as in Nova). */
  async finish_revert_migration(context: RequestContext, instance: Instance, power_on: boolean): Promise<void> {
    const g = this.requireGuest(instance);
    await this.power_off(instance, 0, 0);
    this.redefineFlavor(g, instance);
    if (power_on) await this.power_on(context, instance, []);
  }

  private redefineFlavor(g: Guest, instance: Instance): void {
    g.spec.memoryMiB = instance.flavor.memory_mb;
    g.spec.vcpus = instance.flavor.vcpus;
    g.spec.nova.flavor = instance.flavor.name;
    g.spec.nova.rootGb = instance.flavor.root_gb;
    writeFileSync(g.files.domainXml, domainToXml(g.spec));
  }

  // ------------------------------------------------------------------ state

  async get_info(instance: Instance): Promise<InstanceInfo> {
    const g = this.requireGuest(instance);
    if (!isOurQemu(g.pid, g.files.qmpSocket)) {
      // the pid is gone (killed, crashed, powered off): forget the monitor
      if (g.qmp) this.stopWatching(g);
      this.guests.delete(g.uuid);
      return { state: PowerState.SHUTDOWN };
    }
    let status: string;
    try {
      status = await this.status(g);
    } catch {
      return { state: PowerState.NOSTATE, internal_id: String(g.pid) };
    }
    const state = status === "paused" && existsSync(g.files.suspendedMark) ? PowerState.SUSPENDED : powerStateOfQmpStatus(status);
    return { state, internal_id: String(g.pid) };
  }

  private async status(g: Guest): Promise<string> {
    const r = await (await this.monitor(g)).execute<{ status: string }>("query-status");
    return r.status;
  }

  async list_instances(): Promise<string[]> {
    return this.definedUuids()
      .map((u) => this.loadGuest(u)?.spec.name)
      .filter((n): n is string => !!n);
  }

  async list_instance_uuids(): Promise<string[]> {
    return this.definedUuids();
  }

  async instance_exists(instance: Instance): Promise<boolean> {
    return existsSync(instanceFiles(this.options.instancesPath, instance.uuid).domainXml);
  }

  async get_console_output(_context: RequestContext, instance: Instance): Promise<string> {
    const g = this.requireGuest(instance);
    return readConsoleLog(g.files.consoleLog);
  }

  async get_vnc_console(_context: RequestContext, instance: Instance): Promise<VncConsole> {
    const g = this.requireGuest(instance);
    if (!isOurQemu(g.pid, g.files.qmpSocket)) throw new InstanceNotRunning(instance.uuid);
    return { host: g.spec.vnc.listen, port: g.spec.vnc.port, internal_access_path: null };
  }

  async get_serial_console(_context: RequestContext, instance: Instance): Promise<SerialConsole> {
    const g = this.requireGuest(instance);
    if (!isOurQemu(g.pid, g.files.qmpSocket)) throw new InstanceNotRunning(instance.uuid);
    return { host: g.spec.serial.host, port: g.spec.serial.port };
  }

  // ------------------------------------------------------------------ pocketstack extras

  /** The host port forwarded to the guest's sshd (for `os server ssh`); only while its QEMU runs. */
  get_ssh_endpoint(instance: Instance): { host: string; port: number } {
    const g = this.requireGuest(instance);
    // a stopped guest keeps its ports in the XML, but nothing answers there
    if (!isOurQemu(g.pid, g.files.qmpSocket)) throw new InstanceNotRunning(instance.uuid);
    const f = g.spec.interfaces[0]?.portForwards.find((p) => p.guestPort === 22);
    if (!f) throw new InstanceInvalidState(`instance ${instance.uuid} has no forwarded ssh port`);
    return { host: f.address, port: f.hostPort };
  }

  /** The domain XML and the QEMU command line derived from it (for `server show --debug`). */
  get_domain_definition(instance: Instance): { xml: string; command_line: string | null } {
    const g = this.requireGuest(instance);
    return {
      xml: readFileSync(g.files.domainXml, "utf8"),
      command_line: existsSync(g.files.commandLine) ? readFileSync(g.files.commandLine, "utf8").trim() : null,
    };
  }

  /** The QEMU pid of a running guest (undefined when it does not run). */
  guest_pid(instance: Instance): number | undefined {
    const g = this.requireGuest(instance);
    return isOurQemu(g.pid, g.files.qmpSocket) ? g.pid : undefined;
  }

  /** Nova's image cache manager pass: remove bases no defined guest uses and nobody touched lately. */
  age_image_cache(minAgeSeconds = this.options.imageCacheMinAgeS): string[] {
    const inUse = this.definedUuids()
      .map((u) => this.loadGuest(u)?.spec.nova.image)
      .filter((i): i is string => !!i);
    return this.imageCache.ageOut(inUse, minAgeSeconds);
  }

  /** Hear lifecycle transitions (nova.virt.driver.ComputeDriver.register_event_listener). */
  register_event_listener(listener: (e: LifecycleEvent) => void): () => void {
    this.lifecycleListeners.add(listener);
    return () => this.lifecycleListeners.delete(listener);
  }

  private emit(e: LifecycleEvent): void {
    for (const l of this.lifecycleListeners) {
      try {
        l(e);
      } catch (err) {
        log.warning(`lifecycle listener failed: ${(err as Error).message}`);
      }
    }
  }

  // ------------------------------------------------------------------ helpers

  private definedUuids(): string[] {
    if (!existsSync(this.options.instancesPath)) return [];
    return readdirSync(this.options.instancesPath).filter(
      (n) => n !== "_base" && existsSync(join(this.options.instancesPath, n, "libvirt.xml")),
    );
  }

  /** The guest from memory, else from its instance dir (XML + pidfile), without connecting. */
  private loadGuest(uuid: string): Guest | undefined {
    const known = this.guests.get(uuid);
    if (known) return known;
    const files = instanceFiles(this.options.instancesPath, uuid);
    if (!existsSync(files.domainXml)) return undefined;
    const spec = domainFromXml(readFileSync(files.domainXml, "utf8"));
    return { uuid, files, spec, pid: readPid(files.pidFile) };
  }

  private requireGuest(instance: Instance): Guest {
    const g = this.loadGuest(instance.uuid);
    if (!g) throw new InstanceNotFound(instance.uuid);
    if (!this.guests.has(g.uuid)) this.guests.set(g.uuid, g);
    return g;
  }

  /** The guest's monitor, reconnecting if this process has none yet. */
  private async monitor(g: Guest): Promise<QmpClient> {
    if (g.qmp && !g.qmp.closed) return g.qmp;
    if (!isOurQemu(g.pid, g.files.qmpSocket)) throw new InstanceNotRunning(g.uuid);
    await this.attach(g, 5_000);
    return g.qmp as unknown as QmpClient;
  }

  private async runningMonitor(instance: Instance): Promise<QmpClient> {
    const g = this.requireGuest(instance);
    if (!isOurQemu(g.pid, g.files.qmpSocket)) throw new InstanceNotRunning(instance.uuid);
    return this.monitor(g);
  }
}

/** A stable MAC in OpenStack's fa:16:3e prefix, from the instance uuid. */
function macOf(uuid: string): string {
  const h = uuid.replace(/-/g, "");
  return `fa:16:3e:${h.slice(0, 2)}:${h.slice(2, 4)}:${h.slice(4, 6)}`;
}
