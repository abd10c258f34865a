import { randomUUID } from "node:crypto";
import { empty } from "../../common/http/types.js";
import { badRequest } from "../errors.js";
import { aggregatesSatisfied, noAggregates, noTraits, traitsSatisfied } from "../filters.js";
import { canonicalUuid, checkQueryKeys, isUuid, parseMemberOf, parseRequired, parseResources, single } from "../query.js";
import { providerCreate, providerUpdate } from "../schemas.js";
import { type ProviderRow, createProvider, deleteProvider, getProvider, requireProvider, updateProvider } from "../store/providers.js";
import { fits, loadSnapshot } from "../store/snapshot.js";
import { writeTx } from "../store/tx.js";
import { type Call, ok } from "./call.js";

/** A provider as placement shows it; which links and fields appear depends on the microversion. */
export function providerJson(c: Call, rp: ProviderRow): Record<string, unknown> {
  const self = c.href(`/resource_providers/${rp.uuid}`);
  const links = [
    { rel: "self", href: self },
    { rel: "inventories", href: `${self}/inventories` },
    { rel: "usages", href: `${self}/usages` },
  ];
  if (c.v.at(1)) links.push({ rel: "aggregates", href: `${self}/aggregates` });
  if (c.v.at(6)) links.push({ rel: "traits", href: `${self}/traits` });
  if (c.v.at(11)) links.push({ rel: "allocations", href: `${self}/allocations` });
  const out: Record<string, unknown> = { uuid: rp.uuid, name: rp.name, generation: rp.generation, links };
  if (c.v.at(14)) {
    out.parent_provider_uuid = rp.parent_provider_uuid;
    out.root_provider_uuid = rp.root_provider_uuid;
  }
  return out;
}

export function listProviders(c: Call) {
  c.can("placement:resource_providers:list");
  const allowed: string[] = ["name", "uuid"];
  if (c.v.at(3)) allowed.push("member_of");
  if (c.v.at(4)) allowed.push("resources");
  if (c.v.at(14)) allowed.push("in_tree");
  if (c.v.at(18)) allowed.push("required");
  checkQueryKeys(c.query, allowed);
  const name = single(c.query, "name");
  const uuid = single(c.query, "uuid");
  if (uuid !== undefined && !isUuid(uuid)) throw badRequest(`Invalid query string parameters: '${uuid}' is not a 'uuid'`);
  const inTree = c.v.at(14) ? single(c.query, "in_tree") : undefined;
  if (inTree !== undefined && !isUuid(inTree)) throw badRequest(`Invalid query string parameters: '${inTree}' is not a 'uuid'`);
  const memberOf = c.query.has("member_of") ? parseMemberOf(c.query.getAll("member_of"), c.v) : noAggregates();
  const resourcesRaw = single(c.query, "resources");
  const resources = resourcesRaw !== undefined ? parseResources(c.db, resourcesRaw) : {};
  const required = c.query.has("required") ? parseRequired(c.db, c.query.getAll("required"), c.v) : noTraits();

  const snapshot = loadSnapshot(c.db);
  const treeRoot = inTree ? [...snapshot.values()].find((p) => p.row.uuid === canonicalUuid(inTree))?.row.root_provider_id : undefined;
  const matches = [...snapshot.values()].filter((p) => {
    if (name !== undefined && p.row.name !== name) return false;
    if (uuid !== undefined && p.row.uuid !== canonicalUuid(uuid)) return false;
    if (inTree !== undefined && p.row.root_provider_id !== treeRoot) return false;
    if (!aggregatesSatisfied(p.aggregates, memberOf)) return false;
    if (!traitsSatisfied(p.traits, required)) return false;
    return Object.entries(resources).every(([rc, amount]) => fits(p, rc, amount));
  });
  return ok(
    c,
    { resource_providers: matches.map((p) => providerJson(c, p.row)) },
    { lastModified: matches.map((p) => p.row.updated_at ?? p.row.created_at) },
  );
}

export async function createProviderHandler(c: Call) {
  c.can("placement:resource_providers:create");
  const body = await c.body<{ name: string; uuid?: string; parent_provider_uuid?: string | null }>(providerCreate(c.v.at(14)));
  const uuid = body.uuid ? canonicalUuid(body.uuid) : randomUUID();
  const parent = body.parent_provider_uuid ? canonicalUuid(body.parent_provider_uuid) : null;
  const rp = writeTx(c.db, () => createProvider(c.db, uuid, body.name, parent));
  const location = c.href(`/resource_providers/${rp.uuid}`);
  if (c.v.at(20)) return ok(c, providerJson(c, rp), { lastModified: [rp.updated_at], headers: { location } });
  return empty(201, { location });
}

export function showProvider(c: Call) {
  c.can("placement:resource_providers:show");
  const rp = requireProvider(c.db, c.params.uuid ?? "", `No resource provider with uuid ${c.params.uuid} found`);
  return ok(c, providerJson(c, rp), { lastModified: [rp.updated_at ?? rp.created_at] });
}

export async function updateProviderHandler(c: Call) {
  c.can("placement:resource_providers:update");
  const uuid = c.params.uuid ?? "";
  if (!getProvider(c.db, uuid)) requireProvider(c.db, uuid, `No resource provider with uuid ${uuid} found`);
  const body = await c.body<{ name: string; parent_provider_uuid?: string | null }>(providerUpdate(c.v.at(14)));
  const parent =
    body.parent_provider_uuid === undefined
      ? undefined
      : body.parent_provider_uuid === null
        ? null
        : canonicalUuid(body.parent_provider_uuid);
  const rp = writeTx(c.db, () => updateProvider(c.db, requireProvider(c.db, uuid), body.name, parent, c.v.at(37)));
  return ok(c, providerJson(c, rp), { lastModified: [rp.updated_at] });
}

export function deleteProviderHandler(c: Call) {
  c.can("placement:resource_providers:delete");
  writeTx(c.db, () => deleteProvider(c.db, c.params.uuid ?? ""));
  return empty(204);
}
