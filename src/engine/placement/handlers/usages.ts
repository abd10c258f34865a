import { badRequest } from "../errors.js";
import { checkQueryKeys, single } from "../query.js";
import { requireProvider } from "../store/providers.js";
import { projectConsumerCounts, projectUsages, providerUsages } from "../store/usages.js";
import { type Call, ok, since } from "./call.js";

export function providerUsagesHandler(c: Call) {
  c.can("placement:resource_providers:usages");
  const rp = requireProvider(
    c.db,
    c.params.uuid ?? "",
    `No resource provider with uuid ${c.params.uuid} found: No such resource provider.`,
  );
  return ok(c, { resource_provider_generation: rp.generation, usages: providerUsages(c.db, rp.id) });
}

/**
 * GET /usages (1.9): a project's (and optionally one user's) consumption. From 1.38 grouped by consumer
 * type, each group with its consumer_count; consumers written before types existed count as "unknown".
 */
export function totalUsagesHandler(c: Call) {
  since(9)(c);
  checkQueryKeys(c.query, c.v.at(38) ? ["project_id", "user_id", "consumer_type"] : ["project_id", "user_id"]);
  const projectId = single(c.query, "project_id");
  if (!projectId) throw badRequest("Invalid query string parameters: 'project_id' is a required property");
  const userId = single(c.query, "user_id");
  c.can("placement:usages", { project_id: projectId });
  const rows = projectUsages(c.db, projectId, userId);
  if (!c.v.at(38)) {
    const usages: Record<string, number> = {};
    for (const r of rows) usages[r.resource_class] = (usages[r.resource_class] ?? 0) + r.used;
    return ok(c, { usages });
  }
  const wanted = single(c.query, "consumer_type");
  const counts = projectConsumerCounts(c.db, projectId, userId);
  const groups: Record<string, Record<string, number>> = {};
  for (const r of rows) {
    const type = r.consumer_type ?? "unknown";
    groups[type] ??= { consumer_count: counts.get(r.consumer_type) ?? 0 };
    (groups[type] as Record<string, number>)[r.resource_class] = r.used;
  }
  if (wanted === undefined || wanted === "all") {
    if (wanted === "all") {
      const all: Record<string, number> = { consumer_count: [...counts.values()].reduce((a, b) => a + b, 0) };
      for (const r of rows) all[r.resource_class] = (all[r.resource_class] ?? 0) + r.used;
      return ok(c, { usages: rows.length ? { all } : {} });
    }
    return ok(c, { usages: groups });
  }
  return ok(c, { usages: groups[wanted] ? { [wanted]: groups[wanted] } : {} });
}
