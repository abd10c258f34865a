import { aggregatesSatisfied, isEmptyTraitFilter, traitsSatisfied } from "../filters.js";
import { capacity } from "../store/inventories.js";
import { type ProviderState, fits } from "../store/snapshot.js";
import type { CandidateRequest, RequestGroup } from "./request.js";

/** One way to satisfy the whole request: per provider id, the amounts to allocate; and which group went where. */
export interface Candidate {
  root: number;
  allocations: Map<number, Map<string, number>>;
  /** Group suffix → provider ids that satisfied it (1.34 `mappings`). */
  mappings: Map<string, number[]>;
}

/** One way to satisfy one group. */
interface GroupOption {
  root: number;
  parts: Array<{ rp: number; rc: string; amount: number }>;
}

/** Stop enumerating past this many combinations: a laptop cloud never needs more, and it bounds the work. */
const MAX_COMBINATIONS = 10_000;

function inGroupScope(p: ProviderState, g: RequestGroup, all: Map<number, ProviderState>): boolean {
  // The common case (no member_of, no in_tree) needs no work per provider.
  if (g.memberOf.anyOf.length + g.memberOf.forbidden.length === 0 && g.inTree === undefined) return true;
  const root = all.get(p.row.root_provider_id);
  const aggs = new Set([...p.aggregates, ...(root?.aggregates ?? [])]);
  if (!aggregatesSatisfied(aggs, g.memberOf)) return false;
  if (g.inTree !== undefined) {
    const anchor = [...all.values()].find((x) => x.row.uuid === g.inTree);
    if (!anchor || anchor.row.root_provider_id !== p.row.root_provider_id) return false;
  }
  return true;
}

/** A suffixed group: one provider must hold every resource and every trait of the group. */
function singleProviderOptions(g: RequestGroup, providers: ProviderState[], all: Map<number, ProviderState>): GroupOption[] {
  return providers
    .filter(
      (p) =>
        inGroupScope(p, g, all) && traitsSatisfied(p.traits, g.traits) && Object.entries(g.resources).every(([rc, n]) => fits(p, rc, n)),
    )
    .map((p) => ({
      root: p.row.root_provider_id,
      parts: Object.entries(g.resources).map(([rc, amount]) => ({ rp: p.row.id, rc, amount })),
    }));
}

/**
 * The unsuffixed group: each resource class may come from a different provider of the same tree; the
 * providers used must together have the required traits and none of the forbidden ones.
 */
function treeSpreadOptions(g: RequestGroup, providers: ProviderState[], all: Map<number, ProviderState>): GroupOption[] {
  const wanted = Object.entries(g.resources);
  const byRoot = new Map<number, ProviderState[]>();
  for (const p of providers) {
    if (!inGroupScope(p, g, all)) continue;
    const members = byRoot.get(p.row.root_provider_id);
    if (members) members.push(p);
    else byRoot.set(p.row.root_provider_id, [p]);
  }
  const out: GroupOption[] = [];
  for (const [root, members] of byRoot) {
    let partial: GroupOption["parts"][] = [[]];
    for (const [rc, amount] of wanted) {
      const next: GroupOption["parts"][] = [];
      for (const p of members.filter((m) => fits(m, rc, amount)))
        for (const parts of partial) if (next.length < MAX_COMBINATIONS) next.push([...parts, { rp: p.row.id, rc, amount }]);
      partial = next;
    }
    for (const parts of partial) {
      const used = new Set(parts.map((x) => x.rp));
      const traits = new Set([...used].flatMap((id) => [...(all.get(id)?.traits ?? [])]));
      if (traitsSatisfied(traits, g.traits)) out.push({ root, parts });
    }
  }
  return out;
}

/**
 * Every allocation request that satisfies all groups inside one provider tree, respecting group_policy
 * (isolate: different suffixed groups, different providers), combined capacity when several groups
 * land on one provider, root_required, and the traits of a resourceless unsuffixed group. With a
 * limit, it stops after that many.
 */
export function solve(req: CandidateRequest, all: Map<number, ProviderState>, nested: boolean, limit?: number): Candidate[] {
  const providers = [...all.values()].filter((p) => nested || p.row.parent_provider_id === null);
  const withResources = req.groups.filter((g) => Object.keys(g.resources).length > 0);
  const resourceless = req.groups.find((g) => g.suffix === "" && Object.keys(g.resources).length === 0);
  const perGroup = withResources.map((g) => ({
    group: g,
    options: g.suffix === "" ? treeSpreadOptions(g, providers, all) : singleProviderOptions(g, providers, all),
  }));

  let combos: Array<{ root: number; picks: Array<{ group: RequestGroup; option: GroupOption }> }> = [{ root: -1, picks: [] }];
  for (const { group, options } of perGroup) {
    const next: typeof combos = [];
    for (const combo of combos)
      for (const option of options) {
        if (combo.root !== -1 && combo.root !== option.root) continue;
        if (next.length >= MAX_COMBINATIONS) break;
        next.push({ root: option.root, picks: [...combo.picks, { group, option }] });
      }
    combos = next;
  }

  const seen = new Set<string>();
  const out: Candidate[] = [];
  for (const combo of combos) {
    // limit=N answers the first N, as placement does without randomize_allocation_candidates.
    if (limit !== undefined && out.length >= limit) break;
    if (req.groupPolicy === "isolate") {
      const suffixed = combo.picks.filter((p) => p.group.suffix !== "").map((p) => p.option.parts[0]?.rp);
      if (new Set(suffixed).size !== suffixed.length) continue;
    }
    const allocations = new Map<number, Map<string, number>>();
    for (const { option } of combo.picks)
      for (const { rp, rc, amount } of option.parts) {
        const m = allocations.get(rp) ?? new Map<string, number>();
        m.set(rc, (m.get(rc) ?? 0) + amount);
        allocations.set(rp, m);
      }
    const overCapacity = [...allocations].some(([rp, m]) =>
      [...m].some(([rc, amount]) => {
        const p = all.get(rp) as ProviderState;
        const inv = p.inventories.get(rc);
        return !inv || (p.used.get(rc) ?? 0) + amount > capacity(inv);
      }),
    );
    if (overCapacity) continue;
    const root = all.get(combo.root);
    if (!isEmptyTraitFilter(req.rootRequired) && !(root && traitsSatisfied(root.traits, req.rootRequired))) continue;
    if (resourceless && !isEmptyTraitFilter(resourceless.traits)) {
      const traits = new Set([...allocations.keys()].flatMap((id) => [...(all.get(id)?.traits ?? [])]));
      if (!traitsSatisfied(traits, resourceless.traits)) continue;
    }
    const mappings = new Map<string, number[]>();
    for (const { group, option } of combo.picks) mappings.set(group.suffix, [...new Set(option.parts.map((p) => p.rp))]);
    const key = JSON.stringify([[...allocations].map(([rp, m]) => [rp, [...m]]).sort(), [...mappings].sort()]);
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ root: combo.root, allocations, mappings });
  }
  return out;
}
