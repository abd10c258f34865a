import { renderCandidates } from "../candidates/render.js";
import { parseCandidateRequest } from "../candidates/request.js";
import { solve } from "../candidates/solve.js";
import { loadSnapshot } from "../store/snapshot.js";
import { type Call, okJsonText, since } from "./call.js";

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
  return okJsonText(c, renderCandidates(c.v, request, candidates, all));
}
