// The compute's Placement client (nova.scheduler.client.report.SchedulerReportClient): keeps the node's
// resource provider, its inventory and its COMPUTE_* traits in step with the hypervisor, and removes an
// instance's allocations when a build fails or the instance is deleted.
import { log } from "../../common/log.js";
import type { ServiceHttp } from "./service-http.js";

export const PLACEMENT_VERSION = "placement 1.39";
/** Retries of an idempotent request whose connection failed. */
const CONNECT_RETRIES = 3;

export interface InventoryRecord {
  total: number;
  reserved: number;
  min_unit: number;
  max_unit: number;
  step_size: number;
  allocation_ratio: number;
}
export type Inventories = Record<string, InventoryRecord>;

export class PlacementError extends Error {
  override name = "PlacementError";
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

function describe(reply: { status: number; body: any }): string {
  const e = reply.body?.errors?.[0];
  return e
    ? `${reply.status} ${e.title ?? ""}: ${e.detail ?? ""}`.trim()
    : `${reply.status} ${typeof reply.body === "string" ? reply.body : ""}`;
}

export class ReportClient {
  /** Generations as last seen, per provider (Placement's optimistic concurrency). */
  private readonly generations = new Map<string, number>();
  private readonly lastInventory = new Map<string, string>();
  private readonly lastTraits = new Map<string, string>();
  /** Providers this client just created: they have no traits yet, no need to read them first. */
  private readonly created = new Set<string>();

  private readonly http: Pick<ServiceHttp, "request">;

  constructor(http: ServiceHttp) {
    // keystoneauth's connect_retries: a connection reset (a keep-alive connection the server closed just
    // as we reused it) is retried for the idempotent methods; a lost DELETE would leak the allocation.
    this.http = {
      async request(method, path, body, headers) {
        for (let attempt = 1; ; attempt++) {
          try {
            return await http.request(method, path, body, headers);
          } catch (err) {
            if (method === "POST" || attempt >= CONNECT_RETRIES + 1) throw err;
            log.warning(`Placement ${method} ${path} failed (${(err as Error).message}); retrying (${attempt}/${CONNECT_RETRIES})`);
            await new Promise((r) => setTimeout(r, 100 * attempt));
          }
        }
      },
    };
  }

  /** GET the provider, creating it (name = hypervisor_hostname, uuid = compute node uuid) when missing. */
  async ensureResourceProvider(uuid: string, name: string): Promise<number> {
    const got = await this.http.request("GET", `/resource_providers/${uuid}`);
    if (got.status === 200) {
      this.generations.set(uuid, got.body.generation);
      return got.body.generation;
    }
    if (got.status !== 404) throw new PlacementError(`cannot read resource provider ${uuid}: ${describe(got)}`, got.status);
    const made = await this.http.request("POST", "/resource_providers", { uuid, name });
    if (made.status !== 200 && made.status !== 201) {
      throw new PlacementError(`cannot create resource provider ${name} (${uuid}): ${describe(made)}`, made.status);
    }
    log.info(`created resource provider ${name} (${uuid}) in Placement`);
    this.generations.set(uuid, made.body?.generation ?? 0);
    this.lastInventory.delete(uuid);
    this.lastTraits.delete(uuid);
    this.created.add(uuid);
    return made.body?.generation ?? 0;
  }

  /** Replace the inventory when it changed; on a generation conflict refresh and try again. */
  async setInventory(uuid: string, inventories: Inventories): Promise<void> {
    const key = JSON.stringify(inventories);
    if (this.lastInventory.get(uuid) === key) return;
    await this.withGeneration(uuid, async (generation) => {
      const r = await this.http.request("PUT", `/resource_providers/${uuid}/inventories`, {
        resource_provider_generation: generation,
        inventories,
      });
      if (r.status === 200) this.generations.set(uuid, r.body.resource_provider_generation);
      return r;
    });
    this.lastInventory.set(uuid, key);
  }

  /** Keep the operator's own traits (CUSTOM_*, others) and set the COMPUTE_* ones the compute owns. */
  async setComputeTraits(uuid: string, computeTraits: string[]): Promise<void> {
    await this.withGeneration(uuid, async (generation) => {
      // Once only: after a conflict the traits are read like any provider's.
      const current = this.created.delete(uuid)
        ? { status: 200, body: { traits: [] as string[], resource_provider_generation: generation } }
        : await this.http.request("GET", `/resource_providers/${uuid}/traits`);
      if (current.status !== 200) return current;
      this.generations.set(uuid, current.body.resource_provider_generation);
      const kept = (current.body.traits as string[]).filter((t) => !t.startsWith("COMPUTE_"));
      const traits = [...new Set([...kept, ...computeTraits])].sort();
      const key = JSON.stringify(traits);
      if (key === JSON.stringify([...(current.body.traits as string[])].sort())) {
        this.lastTraits.set(uuid, key);
        return { status: 200, body: current.body };
      }
      const r = await this.http.request("PUT", `/resource_providers/${uuid}/traits`, {
        resource_provider_generation: current.body.resource_provider_generation,
        traits,
      });
      if (r.status === 200) {
        this.generations.set(uuid, r.body.resource_provider_generation);
        this.lastTraits.set(uuid, key);
      }
      return r;
    });
  }

  /** Remove every allocation of the consumer (a failed build, a reschedule, a delete). 404 is fine. */
  async deleteAllocationForInstance(consumer: string): Promise<boolean> {
    const r = await this.http.request("DELETE", `/allocations/${consumer}`);
    if (r.status === 204) return true;
    if (r.status === 404) return false;
    throw new PlacementError(`cannot delete the allocations of ${consumer}: ${describe(r)}`, r.status);
  }

  async getAllocations(consumer: string): Promise<Record<string, { resources: Record<string, number> }>> {
    const r = await this.http.request("GET", `/allocations/${consumer}`);
    if (r.status !== 200) throw new PlacementError(`cannot read the allocations of ${consumer}: ${describe(r)}`, r.status);
    return r.body.allocations ?? {};
  }

  private async withGeneration(uuid: string, op: (generation: number) => Promise<{ status: number; body: any }>): Promise<void> {
    for (let attempt = 0; attempt < 4; attempt++) {
      const generation = this.generations.get(uuid) ?? (await this.ensureResourceProvider(uuid, uuid));
      const r = await op(generation);
      if (r.status >= 200 && r.status < 300) return;
      const conflict = r.status === 409 && r.body?.errors?.[0]?.code === "placement.concurrent_update";
      if (!conflict) throw new PlacementError(`resource provider ${uuid}: ${describe(r)}`, r.status);
      // Someone else (the scheduler claiming, an operator) moved the generation: read it and retry.
      const got = await this.http.request("GET", `/resource_providers/${uuid}`);
      if (got.status !== 200) throw new PlacementError(`cannot read resource provider ${uuid}: ${describe(got)}`, got.status);
      this.generations.set(uuid, got.body.generation);
    }
    throw new PlacementError(`resource provider ${uuid}: generation kept changing`, 409);
  }
}
