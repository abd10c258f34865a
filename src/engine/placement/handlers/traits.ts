import { empty } from "../../common/http/types.js";
import { GenerationConflict, badRequest, concurrentUpdate, notFound } from "../errors.js";
import { checkQueryKeys, single } from "../query.js";
import { traitsPut } from "../schemas.js";
import { CUSTOM_NAME } from "../standard-resource-classes.js";
import { requireProvider } from "../store/providers.js";
import { createTrait, deleteTrait, invalidTrait, listTraits, providerTraits, setProviderTraits, traitExists } from "../store/traits.js";
import { writeTx } from "../store/tx.js";
import { type Call, ok, since } from "./call.js";

const validCustom = (name: string) => CUSTOM_NAME.test(name) && name.length <= 255;
const rpNotFound = (uuid: string) => `No resource provider with uuid ${uuid} found: No such resource provider.`;

function generationChanged<T>(fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof GenerationConflict)
      throw concurrentUpdate("Resource provider's generation already changed. Please update the generation and try again.");
    throw err;
  }
}

export function listTraitsHandler(c: Call) {
  since(6)(c);
  c.can("placement:traits:list");
  checkQueryKeys(c.query, ["name", "associated"]);
  const name = single(c.query, "name");
  const q: Parameters<typeof listTraits>[1] = {};
  if (name !== undefined) {
    if (name.startsWith("in:"))
      q.names = name
        .slice(3)
        .split(",")
        .map((s) => s.trim())
        .filter(Boolean);
    else if (name.startsWith("startswith:")) q.prefix = name.slice("startswith:".length);
    else
      throw badRequest(
        `Badly formatted name parameter. Expected name query string parameter in form: ?name=[in|startswith]:[name1,name2|prefix]. Got: "${name}"`,
      );
  }
  const associated = single(c.query, "associated");
  if (associated !== undefined) {
    if (!["true", "false"].includes(associated.toLowerCase()))
      throw badRequest('The query parameter "associated" only accepts "true" or "false"');
    q.associated = associated.toLowerCase() === "true";
  }
  return ok(c, { traits: listTraits(c.db, q) });
}

export function showTraitHandler(c: Call) {
  since(6)(c);
  c.can("placement:traits:show");
  const name = c.params.name ?? "";
  if (!traitExists(c.db, name)) throw notFound(`No such trait(s): ${name}.`);
  return empty(204);
}

export function putTraitHandler(c: Call) {
  since(6)(c);
  c.can("placement:traits:update");
  const name = c.params.name ?? "";
  if (!validCustom(name)) throw invalidTrait();
  const created = writeTx(c.db, () => createTrait(c.db, name));
  const headers: Record<string, string> = { location: c.href(`/traits/${name}`) };
  return created ? empty(201, headers) : empty(204, headers);
}

export function deleteTraitHandler(c: Call) {
  since(6)(c);
  c.can("placement:traits:delete");
  writeTx(c.db, () => deleteTrait(c.db, c.params.name ?? ""));
  return empty(204);
}

export function providerTraitsHandler(c: Call) {
  since(6)(c);
  c.can("placement:resource_providers:traits:list");
  const rp = requireProvider(c.db, c.params.uuid ?? "", rpNotFound(c.params.uuid ?? ""));
  return ok(c, { traits: providerTraits(c.db, rp.id), resource_provider_generation: rp.generation });
}

export async function putProviderTraitsHandler(c: Call) {
  since(6)(c);
  c.can("placement:resource_providers:traits:update");
  const uuid = c.params.uuid ?? "";
  requireProvider(c.db, uuid, rpNotFound(uuid));
  const body = await c.body<{ traits: string[]; resource_provider_generation: number }>(traitsPut);
  const generation = generationChanged(() =>
    writeTx(c.db, () => setProviderTraits(c.db, requireProvider(c.db, uuid), body.resource_provider_generation, body.traits)),
  );
  const rp = requireProvider(c.db, uuid);
  return ok(c, { traits: providerTraits(c.db, rp.id), resource_provider_generation: generation });
}

export function deleteProviderTraitsHandler(c: Call) {
  since(6)(c);
  c.can("placement:resource_providers:traits:delete");
  const uuid = c.params.uuid ?? "";
  requireProvider(c.db, uuid, rpNotFound(uuid));
  generationChanged(() => writeTx(c.db, () => setProviderTraits(c.db, requireProvider(c.db, uuid), undefined, [])));
  return empty(204);
}
