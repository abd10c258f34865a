import { empty } from "../../common/http/types.js";
import { GenerationConflict, concurrentUpdate } from "../errors.js";
import { canonicalUuid } from "../query.js";
import { reshaper } from "../schemas.js";
import { replaceAllocations } from "../store/allocations.js";
import { type Inventory, replaceInventories } from "../store/inventories.js";
import { requireProvider } from "../store/providers.js";
import { writeTx } from "../store/tx.js";
import { type Call, since } from "./call.js";
import { completeInventory } from "./inventories.js";

type Body = {
  inventories: Record<
    string,
    { resource_provider_generation: number; inventories: Record<string, Partial<Inventory> & { total: number }> }
  >;
  allocations: Record<
    string,
    {
      allocations: Record<string, { resources: Record<string, number> }>;
      project_id: string;
      user_id: string;
      consumer_generation?: number | null;
      consumer_type?: string;
    }
  >;
};

/**
 * POST /reshaper (1.30): move inventory and the allocations against it between providers of a tree in
 * one transaction (e.g. VGPU from the compute node root to a new child provider). Allocations of the
 * named consumers are lifted, inventories replaced, then the allocations written back with capacity checks.
 */
export async function reshaperHandler(c: Call) {
  since(30)(c);
  c.can("placement:reshaper:reshape");
  const body = await c.body<Body>(reshaper(c.v));
  const inventories = Object.entries(body.inventories).map(([uuid, entry]) => {
    const rp = requireProvider(c.db, canonicalUuid(uuid), `Resource provider ${uuid} in inventories not found`);
    const invs = Object.fromEntries(Object.entries(entry.inventories).map(([rc, inv]) => [rc, completeInventory(c, rp, rc, inv)]));
    return { uuid: rp.uuid, generation: entry.resource_provider_generation, invs };
  });
  const consumers = Object.entries(body.allocations).map(([uuid, a]) => ({
    uuid: canonicalUuid(uuid),
    project_id: a.project_id,
    user_id: a.user_id,
    generation: a.consumer_generation,
    consumer_type: a.consumer_type,
    allocations: Object.fromEntries(Object.entries(a.allocations).map(([rp, x]) => [canonicalUuid(rp), x.resources])),
  }));
  try {
    writeTx(c.db, () =>
      replaceAllocations(c.db, consumers, true, () => {
        for (const inv of inventories) replaceInventories(c.db, requireProvider(c.db, inv.uuid), inv.generation, inv.invs);
      }),
    );
  } catch (err) {
    if (err instanceof GenerationConflict) throw concurrentUpdate(`Unable to reshape: resource provider generation conflict`);
    throw err;
  }
  return empty(204);
}
