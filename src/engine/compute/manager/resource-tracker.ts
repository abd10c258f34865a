// The resource tracker (nova.compute.resource_tracker.ResourceTracker.update_available_resource): asks
// the driver what the node has, counts what the node's instances use, saves the compute node through
// the conductor and mirrors the node as a resource provider with inventory and traits in Placement.
import { randomUUID } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import type { Config } from "../../common/config/config.js";
import type { RequestContext } from "../../common/context.js";
import { log } from "../../common/log.js";
import { withSpan } from "../../common/trace/tracer.js";
import type { ComputeDriver, HostResources, Instance } from "../../../hypervisor/driver.js";
import type { ComputeNodeRecord, ConductorAPI } from "./conductor-api.js";
import type { Inventories, ReportClient } from "./report-client.js";
import { VmState } from "./states.js";

/** Nova keeps the node's uuid in <state_path>/compute_id so it survives a lost database row. */
export function computeNodeUuid(file: string): string {
  if (existsSync(file)) {
    const id = readFileSync(file, "utf8").trim();
    if (/^[0-9a-f-]{36}$/i.test(id)) return id;
  }
  const id = randomUUID();
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${id}\n`);
  return id;
}

/** The driver's capabilities as COMPUTE_* traits (nova.virt.driver.CAPABILITY_TRAITS_MAP). */
export function capabilityTraits(driver: ComputeDriver, serviceDisabled: boolean): string[] {
  const c = driver.capabilities;
  const traits = ["COMPUTE_NODE"];
  if (c.supports_attach_interface) traits.push("COMPUTE_NET_ATTACH_INTERFACE");
  if (c.supports_device_tagging) traits.push("COMPUTE_DEVICE_TAGGING", "COMPUTE_NET_ATTACH_INTERFACE_WITH_TAG");
  if (c.supports_multiattach) traits.push("COMPUTE_VOLUME_MULTI_ATTACH");
  if (c.supports_trusted_certs) traits.push("COMPUTE_TRUSTED_CERTS");
  for (const t of c.supported_image_types) traits.push(`COMPUTE_IMAGE_TYPE_${t.toUpperCase()}`);
  // A disabled service is hidden from the scheduler through this trait (Nova Train and later).
  if (serviceDisabled) traits.push("COMPUTE_STATUS_DISABLED");
  return traits;
}

export interface TrackerUsage {
  vcpus_used: number;
  memory_mb_used: number;
  local_gb_used: number;
  running_vms: number;
}

/** What the node's instances take (Nova counts instances, not the hypervisor's own figures). */
export function usageOf(instances: Instance[], reservedMemoryMb: number): TrackerUsage {
  const usage = { vcpus_used: 0, memory_mb_used: reservedMemoryMb, local_gb_used: 0, running_vms: 0 };
  for (const i of instances) {
    if (i.vm_state === VmState.DELETED || !i.flavor) continue;
    usage.vcpus_used += i.flavor.vcpus;
    usage.memory_mb_used += i.flavor.memory_mb;
    usage.local_gb_used += i.flavor.root_gb + i.flavor.ephemeral_gb + Math.ceil((i.flavor.swap ?? 0) / 1024);
    usage.running_vms += 1;
  }
  return usage;
}

export class ResourceTracker {
  /** The compute node as the conductor last returned it. */
  node?: ComputeNodeRecord;
  private readonly nodeUuid: string;

  constructor(
    private readonly host: string,
    private readonly driver: ComputeDriver,
    private readonly conductor: ConductorAPI,
    private readonly report: ReportClient,
    private readonly config: Config,
    computeIdFile: string,
  ) {
    this.nodeUuid = computeNodeUuid(computeIdFile);
  }

  get uuid(): string {
    return this.nodeUuid;
  }

  inventory(res: HostResources): Inventories {
    const ratio = (o: string) => Number(this.config.get("compute", o));
    return {
      VCPU: {
        total: res.vcpus,
        reserved: 0,
        min_unit: 1,
        max_unit: res.vcpus,
        step_size: 1,
        allocation_ratio: ratio("cpu_allocation_ratio"),
      },
      MEMORY_MB: {
        total: res.memory_mb,
        reserved: Math.min(this.config.int("compute", "reserved_host_memory_mb"), res.memory_mb - 1),
        min_unit: 1,
        max_unit: res.memory_mb,
        step_size: 1,
        allocation_ratio: ratio("ram_allocation_ratio"),
      },
      DISK_GB: {
        total: res.local_gb,
        reserved: 0,
        min_unit: 1,
        max_unit: res.local_gb,
        step_size: 1,
        allocation_ratio: ratio("disk_allocation_ratio"),
      },
    };
  }

  /** One run of update_available_resource for every node of the driver (one here). */
  async update_available_resource(ctx: RequestContext, serviceDisabled = false): Promise<ComputeNodeRecord> {
    return withSpan("update_available_resource", "internal", async (span) => {
      const nodename = this.driver.get_available_nodes()[0] ?? this.host;
      const res = await this.driver.get_available_resource(nodename);
      const instances = await this.conductor.instance_get_all_by_host(ctx, this.host);
      const usage = usageOf(instances, this.config.int("compute", "reserved_host_memory_mb"));
      const resources = {
        ...res,
        ...usage,
        uuid: this.nodeUuid,
        free_ram_mb: res.memory_mb - usage.memory_mb_used,
        free_disk_gb: res.local_gb - usage.local_gb_used,
        disk_available_least: res.local_gb - usage.local_gb_used,
        current_workload: instances.filter((i) => i.task_state !== null && i.vm_state !== VmState.DELETED).length,
        cpu_allocation_ratio: Number(this.config.get("compute", "cpu_allocation_ratio")),
        ram_allocation_ratio: Number(this.config.get("compute", "ram_allocation_ratio")),
        disk_allocation_ratio: Number(this.config.get("compute", "disk_allocation_ratio")),
      };
      span.set("node", nodename);
      span.set("running_vms", usage.running_vms);
      this.node = await this.conductor.compute_node_update(ctx, this.host, nodename, resources);
      await this.updateToPlacement(res, serviceDisabled);
      return this.node;
    });
  }

  private async updateToPlacement(res: HostResources, serviceDisabled: boolean): Promise<void> {
    try {
      await this.report.ensureResourceProvider(this.nodeUuid, res.hypervisor_hostname);
      await this.report.setInventory(this.nodeUuid, this.inventory(res));
      await this.report.setComputeTraits(this.nodeUuid, capabilityTraits(this.driver, serviceDisabled));
    } catch (err) {
      // Nova logs and carries on: the next periodic run tries again.
      log.error(`could not update the resource provider of ${res.hypervisor_hostname} in Placement: ${(err as Error).message}`);
      throw err;
    }
  }
}
