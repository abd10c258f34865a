import { parseCandidateRequest } from "../candidates/request.js";
import { solve } from "../candidates/solve.js";
import { capacity } from "../store/inventories.js";
import { type ProviderState, loadSnapshot } from "../store/snapshot.js";
import { type Call, ok, since } from "./call.js";

/**
 * GET /allocation_candidates (1.10): the allocation requests that could satisfy a boot request, and a
 * summary (capacity, usage, traits, tree) of the providers involved — what nova's scheduler filters,
 * weighs and then claims with PUT /allocations.
 */
export function allocationCandidatesHandler(c: Call) {
  since(10)(c);
  c.can("placement:allocation_candidates:list");
  const request = parseCandidateRequest(c.db, c.query, c.v);
  const all = loadSnapshot(c.db);
  const candidates = solve(request, all, c.v.at(29), request.limit);

  const uuid = (id: number) => (all.get(id) as ProviderState).row.uuid;
  const allocationRequests = candidates.map((cand) => {
    const entries = [...cand.allocations].map(([rp, m]) => [uuid(rp), Object.fromEntries(m)] as const);
    if (!c.v.at(12)) return { allocations: entries.map(([u, resources]) => ({ resource_provider: { uuid: u }, resources })) };
    const out: Record<string, unknown> = { allocations: Object.fromEntries(entries.map(([u, resources]) => [u, { resources }])) };
    if (c.v.at(34)) out.mappings = Object.fromEntries([...cand.mappings].map(([suffix, ids]) => [suffix, ids.map(uuid)]));
    return out;
  });

  // Which providers get a summary: those in a request; from 1.29 every provider of those trees.
  const summarized = new Set<number>();
  const treeOf = new Map<number, number[]>();
  if (c.v.at(29))
    for (const p of all.values()) {
      const members = treeOf.get(p.row.root_provider_id);
      if (members) members.push(p.row.id);
      else treeOf.set(p.row.root_provider_id, [p.row.id]);
    }
  for (const cand of candidates) {
    for (const rp of cand.allocations.keys()) summarized.add(rp);
    for (const id of treeOf.get(cand.root) ?? []) summarized.add(id);
  }
  const requested = new Set(request.groups.flatMap((g) => Object.keys(g.resources)));
  const summaries: Record<string, unknown> = {};
  for (const id of [...summarized].sort((a, b) => a - b)) {
    const p = all.get(id) as ProviderState;
    const resources: Record<string, { capacity: number; used: number }> = {};
    for (const [rc, inv] of p.inventories) {
      if (!c.v.at(27) && !requested.has(rc)) continue;
      resources[rc] = { capacity: capacity(inv), used: p.used.get(rc) ?? 0 };
    }
    const summary: Record<string, unknown> = { resources };
    if (c.v.at(17)) summary.traits = [...p.traits].sort();
    if (c.v.at(29)) {
      summary.parent_provider_uuid = p.row.parent_provider_uuid;
      summary.root_provider_uuid = p.row.root_provider_uuid;
    }
    summaries[p.row.uuid] = summary;
  }
  return ok(c, { allocation_requests: allocationRequests, provider_summaries: summaries });
}
