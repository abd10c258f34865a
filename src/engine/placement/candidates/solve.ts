import { type AggregateFilter, type TraitFilter, aggregatesSatisfied, isEmptyTraitFilter, traitsSatisfied } from "../filters.js";
import { capacity } from "../store/inventories.js";
import { type ProviderState, fits } from "../store/snapshot.js";
import type { CandidateRequest, RequestGroup } from "./request.js";
import { type TreeIndex, isAncestorOrSelf, treeIndex } from "./tree-index.js";

/** Resource class → amount pairs, in request order. Shared between candidates: read-only. */
export type Amounts = Array<[string, number]>;
/** Per provider id, what to allocate from it. */
export type Allocation = Array<[number, Amounts]>;

/**
 * One way to satisfy the whole request: per provider id, the amounts to allocate; and which group went
 * where. Arrays rather than maps, shared where candidates are alike: with a thousand hosts the answer
 * has a thousand of these and their garbage is most of the collector's work.
 */
export interface Candidate {
  /** The anchor: root of the tree the request is placed in (sharing providers may lie outside it). */
  root: number;
  allocations: Allocation;
  /** Group suffix → provider ids that satisfied it (1.34 `mappings`). */
  mappings: Array<[string, number[]]>;
}

/** One way to satisfy one group inside one anchor's tree. */
interface GroupOption {
  allocation: Allocation;
  /** The providers this option uses (a resourceless group: the one provider it matched). */
  providers: number[];
}

/** Stop past this many candidates or combinations tried: a laptop cloud never needs more, and it bounds the work. */
const MAX_COMBINATIONS = 10_000;

/**
 * Whether a provider may serve a group by aggregates (its own or its root's: an aggregate on the root
 * spans the tree, as placement treats it) and in_tree.
 */
function inScope(p: ProviderState, g: RequestGroup, all: Map<number, ProviderState>, inTreeRoot: number | undefined): boolean {
  if (inTreeRoot !== undefined && p.row.root_provider_id !== inTreeRoot) return false;
  const f: AggregateFilter = g.memberOf;
  if (f.anyOf.length + f.forbidden.length === 0) return true;
  const root = p.row.root_provider_id === p.row.id ? undefined : all.get(p.row.root_provider_id);
  const aggs = root && root.aggregates.size > 0 ? new Set([...p.aggregates, ...root.aggregates]) : p.aggregates;
  return aggregatesSatisfied(aggs, f);
}

const providesAll = (p: ProviderState, wanted: Amounts) => wanted.every(([rc, n]) => fits(p, rc, n));

/**
 * A suffixed group: one provider holds every resource and trait of the group (a resourceless group,
 * 1.36, just the traits and aggregates). A sharing provider also offers itself to every tree it serves.
 */
function singleProviderOptions(g: RequestGroup, all: Map<number, ProviderState>, index: TreeIndex, inTreeRoot?: number) {
  const wanted: Amounts = Object.entries(g.resources);
  const byAnchor = new Map<number, GroupOption[]>();
  const add = (anchor: number, o: GroupOption) => {
    const list = byAnchor.get(anchor);
    if (list) list.push(o);
    else byAnchor.set(anchor, [o]);
  };
  for (const p of all.values()) {
    if (!inScope(p, g, all, inTreeRoot) || !traitsSatisfied(p.traits, g.traits) || !providesAll(p, wanted)) continue;
    const option: GroupOption = { allocation: wanted.length > 0 ? [[p.row.id, wanted]] : [], providers: [p.row.id] };
    add(p.row.root_provider_id, option);
    for (const anchor of index.anchorsOf.get(p.row.id) ?? []) if (anchor !== p.row.root_provider_id) add(anchor, option);
  }
  return byAnchor;
}

/**
 * The unsuffixed group in one anchor's tree: each resource class may come from a different provider of
 * the tree or from a sharing provider serving it; the providers used must together have the required
 * traits, and none of them a forbidden one.
 */
function spreadOptions(
  g: RequestGroup,
  wanted: Amounts,
  root: number,
  all: Map<number, ProviderState>,
  index: TreeIndex,
  inTreeRoot: number | undefined,
): GroupOption[] {
  const members = index.members.get(root) ?? [];
  // The common case, a tree of one provider and nobody sharing with it: no combinations to build.
  const shared = inTreeRoot === undefined ? index.sharedInto.get(root) : undefined;
  if (members.length === 1 && !shared) {
    const p = members[0] as ProviderState;
    if (!inScope(p, g, all, inTreeRoot) || !providesAll(p, wanted) || !traitsSatisfied(p.traits, g.traits)) return [];
    return [{ allocation: [[p.row.id, wanted]], providers: [p.row.id] }];
  }
  const sources: ProviderState[][] = [];
  for (const [rc, amount] of wanted) {
    const able = members.filter((p) => fits(p, rc, amount) && inScope(p, g, all, inTreeRoot));
    for (const sp of shared ?? [])
      if (sp.row.root_provider_id !== root && fits(sp, rc, amount) && inScope(sp, g, all, undefined)) able.push(sp);
    if (able.length === 0) return [];
    sources.push(able);
  }
  const out: GroupOption[] = [];
  const picks: ProviderState[] = [];
  const walk = (i: number) => {
    if (out.length >= MAX_COMBINATIONS) return;
    if (i === wanted.length) {
      const used = [...new Set(picks)];
      const traits = used.length === 1 ? (used[0] as ProviderState).traits : new Set(used.flatMap((p) => [...p.traits]));
      if (!traitsSatisfied(traits, g.traits)) return;
      const byProvider = new Map<number, Amounts>();
      wanted.forEach((pair, k) => {
        const id = (picks[k] as ProviderState).row.id;
        const list = byProvider.get(id);
        if (list) list.push(pair);
        else byProvider.set(id, [pair]);
      });
      out.push({ allocation: [...byProvider], providers: used.map((p) => p.row.id) });
      return;
    }
    for (const p of sources[i] as ProviderState[]) {
      picks[i] = p;
      walk(i + 1);
    }
  };
  walk(0);
  return out;
}

/** same_subtree: among the providers of the listed groups, one is an ancestor (or itself) of all others. */
function sameSubtree(providers: number[], all: Map<number, ProviderState>): boolean {
  const distinct = [...new Set(providers)];
  if (distinct.length <= 1) return true;
  return distinct.some((top) => distinct.every((p) => isAncestorOrSelf(all, top, p)));
}

/**
 * Every allocation request satisfying all groups around one anchor tree, as placement merges them:
 * group_policy=isolate (suffixed groups on distinct providers), same_subtree, combined capacity and
 * max_unit where several groups take the same class from one provider, root_required on the anchor,
 * the traits of a resourceless unsuffixed group, and (before 1.29) no two providers of one tree.
 * With a limit, it stops after that many.
 */
export function solve(req: CandidateRequest, all: Map<number, ProviderState>, nestedAware: boolean, limit?: number): Candidate[] {
  const index = treeIndex(all);
  const inTreeRoot = (g: RequestGroup) => (g.inTree === undefined ? undefined : (index.byUuid.get(g.inTree)?.row.root_provider_id ?? -1));
  const resourceless = req.groups.find((g) => g.suffix === "" && Object.keys(g.resources).length === 0);
  const groups = req.groups.filter((g) => g !== resourceless);
  const unsuffixed = groups.find((g) => g.suffix === "");
  const granular = groups.filter((g) => g.suffix !== "");
  const granularOptions = granular.map((g) => singleProviderOptions(g, all, index, inTreeRoot(g)));
  const rootFilter = isEmptyTraitFilter(req.rootRequired) ? undefined : req.rootRequired;
  const max = Math.min(limit ?? MAX_COMBINATIONS, MAX_COMBINATIONS);
  // One group without sharing cannot yield the same request twice; otherwise (a sharing provider
  // reached from several anchors, several groups) placement answers each distinct request once.
  const dedup = groups.length > 1 || index.sharedInto.size > 0 ? new Set<string>() : undefined;
  const out: Candidate[] = [];

  for (const root of index.roots) {
    if (out.length >= max) break;
    if (rootFilter && !traitsSatisfied((all.get(root) as ProviderState).traits, rootFilter)) continue;
    const perGroup: GroupOption[][] = [];
    if (unsuffixed) {
      const options = spreadOptions(unsuffixed, Object.entries(unsuffixed.resources), root, all, index, inTreeRoot(unsuffixed));
      if (options.length === 0) continue;
      perGroup.push(options);
    }
    let viable = true;
    for (const byAnchor of granularOptions) {
      const options = byAnchor.get(root);
      if (!options) {
        viable = false;
        break;
      }
      perGroup.push(options);
    }
    if (!viable) continue;
    combine(root, perGroup);
  }
  return out;

  function combine(root: number, perGroup: GroupOption[][]): void {
    const chosen: GroupOption[] = [];
    let tried = 0;
    const walk = (i: number) => {
      if (out.length >= max || tried >= MAX_COMBINATIONS) return;
      if (i === perGroup.length) {
        tried++;
        const c = accept(root, chosen);
        if (c) out.push(c);
        return;
      }
      for (const option of perGroup[i] as GroupOption[]) {
        chosen[i] = option;
        walk(i + 1);
        if (out.length >= max) return;
      }
    };
    walk(0);
  }

  function accept(root: number, chosen: GroupOption[]): Candidate | undefined {
    if (req.groupPolicy === "isolate") {
      const single = chosen.filter((_, i) => (groups[i] as RequestGroup).suffix !== "").map((o) => o.providers[0]);
      if (new Set(single).size !== single.length) return undefined;
    }
    for (const suffixes of req.sameSubtrees) {
      const providers = chosen.filter((_, i) => suffixes.includes((groups[i] as RequestGroup).suffix)).flatMap((o) => o.providers);
      if (!sameSubtree(providers, all)) return undefined;
    }
    const allocations = chosen.length === 1 ? (chosen[0] as GroupOption).allocation : consolidate(chosen);
    if (!allocations) return undefined;
    if (!nestedAware && index.nested) {
      const roots = allocations.map(([id]) => (all.get(id) as ProviderState).row.root_provider_id);
      if (new Set(roots).size !== roots.length) return undefined;
    }
    if (
      resourceless &&
      !isEmptyTraitFilter(resourceless.traits) &&
      !unionHas(
        allocations.map(([id]) => id),
        resourceless.traits,
      )
    )
      return undefined;
    const mappings = chosen.map((o, i): [string, number[]] => [(groups[i] as RequestGroup).suffix, o.providers]);
    if (dedup) {
      const key = JSON.stringify([[...allocations].sort((a, b) => a[0] - b[0]), mappings]);
      if (dedup.has(key)) return undefined;
      dedup.add(key);
    }
    return { root, allocations, mappings };
  }

  /**
   * Several groups' allocations folded per provider and class; undefined when a summed amount no longer
   * fits the provider's capacity or exceeds its max_unit.
   */
  function consolidate(chosen: GroupOption[]): Allocation | undefined {
    const byProvider = new Map<number, Map<string, number>>();
    let summed = false;
    for (const option of chosen)
      for (const [rp, amounts] of option.allocation) {
        let m = byProvider.get(rp);
        if (!m) {
          m = new Map();
          byProvider.set(rp, m);
        }
        for (const [rc, amount] of amounts) {
          const before = m.get(rc);
          if (before !== undefined) summed = true;
          m.set(rc, (before ?? 0) + amount);
        }
      }
    if (summed)
      for (const [rp, m] of byProvider) {
        const p = all.get(rp) as ProviderState;
        for (const [rc, amount] of m) {
          const inv = p.inventories.get(rc);
          if (!inv || (p.used.get(rc) ?? 0) + amount > capacity(inv) || amount > inv.max_unit) return undefined;
        }
      }
    return [...byProvider].map(([rp, m]) => [rp, [...m]]);
  }

  function unionHas(ids: Iterable<number>, f: TraitFilter): boolean {
    const traits = new Set<string>();
    for (const id of ids) for (const t of (all.get(id) as ProviderState).traits) traits.add(t);
    return traitsSatisfied(traits, f);
  }
}
