import { empty } from "../../common/http/types.js";
import { GenerationConflict, badRequest, concurrentUpdate, notFound } from "../errors.js";
import { inventoriesPut, inventoryPost, inventoryPut } from "../schemas.js";
import {
  INVENTORY_DEFAULTS,
  type Inventory,
  addInventory,
  deleteAllInventories,
  deleteInventory,
  findInventory,
  inventoryRecord,
  listInventories,
  replaceInventories,
  updateInventory,
} from "../store/inventories.js";
import { type ProviderRow, requireProvider } from "../store/providers.js";
import { writeTx } from "../store/tx.js";
import { type Call, ok, since } from "./call.js";

type InventoryInput = Partial<Inventory> & { total: number };

/**
 * Fill defaults and check what a schema cannot: reserved may not exceed total (nor equal it before 1.26,
 * which is how operators "turn off" a class since then).
 */
export function completeInventory(c: Call, rp: ProviderRow, rc: string, input: InventoryInput): Inventory {
  const inv: Inventory = { ...INVENTORY_DEFAULTS, ...input };
  const tooBig = c.v.at(26) ? inv.reserved > inv.total : inv.reserved >= inv.total;
  if (tooBig)
    throw badRequest(
      `Unable to update inventory for resource provider ${rp.uuid}: Invalid inventory for '${rc}' on resource provider '${rp.uuid}'. The reserved value is greater than ${c.v.at(26) ? "" : "or equal to "}total.`,
    );
  return inv;
}

const provider = (c: Call) =>
  requireProvider(c.db, c.params.uuid ?? "", `No resource provider with uuid ${c.params.uuid} found : No such resource provider.`);

function inventoriesBody(c: Call, rp: ProviderRow) {
  const rows = listInventories(c.db, rp.id);
  return {
    body: {
      inventories: Object.fromEntries(rows.map((r) => [r.resource_class, inventoryRecord(r)])),
      resource_provider_generation: rp.generation,
    },
    stamps: [rp.updated_at, ...rows.map((r) => r.updated_at ?? r.created_at)],
  };
}

/** A stale resource_provider_generation (or a racing writer) is 409 placement.concurrent_update. */
function guarded<T>(fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof GenerationConflict) throw concurrentUpdate("resource provider generation conflict");
    throw err;
  }
}

export function listInventoriesHandler(c: Call) {
  c.can("placement:resource_providers:inventories:list");
  const { body, stamps } = inventoriesBody(c, provider(c));
  return ok(c, body, { lastModified: stamps });
}

export async function replaceInventoriesHandler(c: Call) {
  c.can("placement:resource_providers:inventories:update");
  const rp = provider(c);
  const body = await c.body<{ resource_provider_generation: number; inventories: Record<string, InventoryInput> }>(inventoriesPut);
  const complete = Object.fromEntries(Object.entries(body.inventories).map(([rc, inv]) => [rc, completeInventory(c, rp, rc, inv)]));
  guarded(() => writeTx(c.db, () => replaceInventories(c.db, provider(c), body.resource_provider_generation, complete)));
  const { body: out, stamps } = inventoriesBody(c, provider(c));
  return ok(c, out, { lastModified: stamps });
}

export async function createInventoryHandler(c: Call) {
  c.can("placement:resource_providers:inventories:create");
  const rp = provider(c);
  const {
    resource_class: rc,
    resource_provider_generation: gen,
    ...rest
  } = await c.body<InventoryInput & { resource_class: string; resource_provider_generation: number }>(inventoryPost);
  const inv = completeInventory(c, rp, rc, rest);
  const generation = guarded(() => writeTx(c.db, () => addInventory(c.db, provider(c), gen, rc, inv)));
  return ok(
    c,
    { ...inv, resource_provider_generation: generation },
    { status: 201, headers: { location: c.href(`/resource_providers/${rp.uuid}/inventories/${rc}`) } },
  );
}

export function showInventoryHandler(c: Call) {
  c.can("placement:resource_providers:inventories:show");
  const rp = provider(c);
  const rc = c.params.resource_class ?? "";
  const inv = findInventory(c.db, rp.id, rc);
  if (!inv) throw notFound(`No inventory of class ${rc} for ${rp.uuid}`);
  return ok(
    c,
    { ...inventoryRecord(inv), resource_provider_generation: rp.generation },
    { lastModified: [inv.updated_at ?? inv.created_at] },
  );
}

export async function updateInventoryHandler(c: Call) {
  c.can("placement:resource_providers:inventories:update");
  const rp = provider(c);
  const rc = c.params.resource_class ?? "";
  const { resource_provider_generation: gen, ...rest } = await c.body<InventoryInput & { resource_provider_generation: number }>(
    inventoryPut,
  );
  const inv = completeInventory(c, rp, rc, rest);
  const generation = guarded(() => writeTx(c.db, () => updateInventory(c.db, provider(c), gen, rc, inv)));
  if (generation === undefined)
    throw badRequest(`No inventory record with resource class for resource provider ${rp.uuid}: No inventory of class ${rc} found.`);
  return ok(c, { ...inv, resource_provider_generation: generation });
}

export function deleteInventoryHandler(c: Call) {
  c.can("placement:resource_providers:inventories:delete");
  const rc = c.params.resource_class ?? "";
  const deleted = guarded(() => writeTx(c.db, () => deleteInventory(c.db, provider(c), rc)));
  if (!deleted) throw notFound(`No inventory of class ${rc} found for delete: No inventory of class ${rc} found.`);
  return empty(204);
}

export function deleteAllInventoriesHandler(c: Call) {
  since(5, 405)(c);
  c.can("placement:resource_providers:inventories:delete");
  guarded(() => writeTx(c.db, () => deleteAllInventories(c.db, provider(c))));
  return empty(204);
}
