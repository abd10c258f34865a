import { empty } from "../../common/http/types.js";
import { GenerationConflict, badRequest, concurrentUpdate, notFound } from "../errors.js";
import { canonicalUuid, isUuid } from "../query.js";
import { allocationsPost, allocationsPut } from "../schemas.js";
import {
  type AllocationRow,
  type ConsumerAllocations,
  allocationsForConsumer,
  allocationsForProvider,
  deleteAllocations,
  replaceAllocations,
} from "../store/allocations.js";
import { getConsumer } from "../store/consumers.js";
import { requireProvider } from "../store/providers.js";
import { writeTx } from "../store/tx.js";
import { type Call, ok, since } from "./call.js";

const stamps = (rows: AllocationRow[]) => rows.map((r) => r.updated_at ?? r.created_at);

export function consumerAllocationsHandler(c: Call) {
  c.can("placement:allocations:list");
  const consumerUuid = c.params.consumer_uuid ?? "";
  const rows = allocationsForConsumer(c.db, consumerUuid);
  const allocations: Record<string, { generation: number; resources: Record<string, number> }> = {};
  for (const r of rows) {
    allocations[r.resource_provider_uuid] ??= { generation: r.resource_provider_generation, resources: {} };
    const entry = allocations[r.resource_provider_uuid] as { resources: Record<string, number> };
    entry.resources[r.resource_class] = r.used;
  }
  const out: Record<string, unknown> = { allocations };
  const consumer = rows.length > 0 ? getConsumer(c.db, consumerUuid) : undefined;
  if (consumer && c.v.at(12)) {
    out.project_id = consumer.project_id;
    out.user_id = consumer.user_id;
    if (c.v.at(28)) out.consumer_generation = consumer.generation;
    if (c.v.at(38)) out.consumer_type = consumer.consumer_type ?? "unknown";
  }
  return ok(c, out, { lastModified: stamps(rows) });
}

export function providerAllocationsHandler(c: Call) {
  c.can("placement:resource_providers:allocations:list");
  const uuid = c.params.uuid ?? "";
  const rp = requireProvider(c.db, uuid, `Resource provider '${uuid}' not found: No resource provider with uuid ${uuid} found`);
  const rows = allocationsForProvider(c.db, rp.id);
  const allocations: Record<string, { resources: Record<string, number>; consumer_generation?: number | null }> = {};
  for (const r of rows) {
    allocations[r.consumer_id] ??= { resources: {} };
    const entry = allocations[r.consumer_id] as { resources: Record<string, number>; consumer_generation?: number | null };
    entry.resources[r.resource_class] = r.used;
    if (c.v.at(28)) entry.consumer_generation = getConsumer(c.db, r.consumer_id)?.generation ?? null;
  }
  return ok(c, { allocations, resource_provider_generation: rp.generation }, { lastModified: stamps(rows) });
}

interface DictForm {
  allocations: Record<string, { resources: Record<string, number> }>;
  project_id?: string;
  user_id?: string;
  consumer_generation?: number | null;
  consumer_type?: string;
}

function toConsumerAllocations(uuid: string, body: DictForm): ConsumerAllocations {
  return {
    uuid,
    project_id: body.project_id,
    user_id: body.user_id,
    generation: body.consumer_generation,
    consumer_type: body.consumer_type,
    allocations: Object.fromEntries(Object.entries(body.allocations).map(([rp, a]) => [canonicalUuid(rp), a.resources])),
  };
}

/** Run an allocation write; generation races come back as 409 placement.concurrent_update. */
export function writeAllocations(c: Call, consumers: ConsumerAllocations[]): void {
  try {
    writeTx(c.db, () => replaceAllocations(c.db, consumers, c.v.at(28)));
  } catch (err) {
    if (err instanceof GenerationConflict)
      throw concurrentUpdate(`Inventory and/or allocations changed while attempting to allocate: ${err.message}`);
    throw err;
  }
}

export async function putConsumerAllocations(c: Call) {
  c.can("placement:allocations:update");
  const raw = c.params.consumer_uuid ?? "";
  if (!isUuid(raw)) throw badRequest(`Malformed consumer_uuid: ${raw}`);
  const consumerUuid = canonicalUuid(raw);
  let body = await c.body<
    | DictForm
    | {
        allocations: Array<{ resource_provider: { uuid: string }; resources: Record<string, number> }>;
        project_id?: string;
        user_id?: string;
      }
  >(allocationsPut(c.v));
  if (Array.isArray(body.allocations)) {
    // Before 1.12 allocations come as a list of {resource_provider: {uuid}, resources}.
    const dict: DictForm["allocations"] = {};
    for (const a of body.allocations) dict[a.resource_provider.uuid] = { resources: a.resources };
    body = { ...body, allocations: dict };
  }
  writeAllocations(c, [toConsumerAllocations(consumerUuid, body as DictForm)]);
  return empty(204);
}

/** POST /allocations (1.13): several consumers at once, all or nothing (moving allocations is one call). */
export async function postAllocations(c: Call) {
  since(13, 405)(c);
  c.can("placement:allocations:manage");
  const body = await c.body<Record<string, DictForm>>(allocationsPost(c.v));
  writeAllocations(
    c,
    Object.entries(body).map(([uuid, data]) => toConsumerAllocations(canonicalUuid(uuid), data)),
  );
  return empty(204);
}

export function deleteConsumerAllocations(c: Call) {
  c.can("placement:allocations:delete");
  const consumerUuid = c.params.consumer_uuid ?? "";
  const deleted = writeTx(c.db, () => deleteAllocations(c.db, consumerUuid));
  if (!deleted) throw notFound(`No allocations for consumer '${consumerUuid}'`);
  return empty(204);
}
