import { GenerationConflict, concurrentUpdate } from "../errors.js";
import { canonicalUuid } from "../query.js";
import { aggregatesPut, aggregatesPutLegacy } from "../schemas.js";
import { validate } from "../validate.js";
import { providerAggregates, setProviderAggregates } from "../store/aggregates.js";
import { requireProvider } from "../store/providers.js";
import { writeTx } from "../store/tx.js";
import { type Call, ok, since } from "./call.js";
import { HttpError } from "../../common/http/errors.js";

const provider = (c: Call) => requireProvider(c.db, c.params.uuid ?? "", `No resource provider with uuid ${c.params.uuid} found`);

/** Before 1.19 a bare list of aggregate uuids; from 1.19 with the provider generation. */
function aggregatesJson(c: Call, uuids: string[], generation: number) {
  return c.v.at(19) ? { aggregates: uuids, resource_provider_generation: generation } : { aggregates: uuids };
}

export function providerAggregatesHandler(c: Call) {
  since(1)(c);
  c.can("placement:resource_providers:aggregates:list");
  const rp = provider(c);
  return ok(c, aggregatesJson(c, providerAggregates(c.db, rp.id), rp.generation), { lastModified: [rp.updated_at] });
}

export async function putProviderAggregatesHandler(c: Call) {
  since(1)(c);
  c.can("placement:resource_providers:aggregates:update");
  provider(c);
  const type = String(c.req.headers["content-type"] ?? "");
  if (!type.includes("application/json"))
    throw new HttpError(415, `The media type ${type || "None"} is not supported, use application/json`);
  let data: unknown;
  try {
    data = JSON.parse((await c.req.body()).toString("utf8"));
  } catch (e) {
    throw new HttpError(400, `Malformed JSON: ${(e as Error).message}`);
  }
  const { uuids, expected } = c.v.at(19)
    ? (() => {
        const b = validate<{ aggregates: string[]; resource_provider_generation: number }>(aggregatesPut, data);
        return { uuids: b.aggregates, expected: b.resource_provider_generation as number | undefined };
      })()
    : { uuids: validate<string[]>(aggregatesPutLegacy, data), expected: undefined };
  let generation: number;
  try {
    generation = writeTx(c.db, () => setProviderAggregates(c.db, provider(c), expected, uuids.map(canonicalUuid)));
  } catch (err) {
    if (err instanceof GenerationConflict)
      throw concurrentUpdate("Resource provider's generation already changed. Please update the generation and try again.");
    throw err;
  }
  const rp = provider(c);
  return ok(c, aggregatesJson(c, providerAggregates(c.db, rp.id), generation));
}
