import type { ProviderState } from "../store/snapshot.js";

/** The trait that makes a provider share its inventory with the providers of its aggregates. */
export const SHARING_TRAIT = "MISC_SHARES_VIA_AGGREGATE";

/**
 * What the candidate search needs to know about the shape of the provider forest, derived once per
 * snapshot (the snapshot is immutable, so this is too): the trees, uuid lookup, and the sharing
 * providers with the trees they can serve ("anchors", as placement calls them).
 */
export interface TreeIndex {
  /** Root provider ids, ascending: the order candidates come out in. */
  roots: number[];
  /** Root id → the providers of that tree, ascending id. */
  members: Map<number, ProviderState[]>;
  byUuid: Map<string, ProviderState>;
  /** Sharing provider id → root ids of every tree with a provider in one of its aggregates (its own included). */
  anchorsOf: Map<number, number[]>;
  /** Anchor root id → the sharing providers that may serve that tree. */
  sharedInto: Map<number, ProviderState[]>;
  /** True when some provider has a parent: trees are in play. */
  nested: boolean;
}

const indexes = new WeakMap<Map<number, ProviderState>, TreeIndex>();

export function treeIndex(all: Map<number, ProviderState>): TreeIndex {
  const hit = indexes.get(all);
  if (hit) return hit;
  const roots: number[] = [];
  const members = new Map<number, ProviderState[]>();
  const byUuid = new Map<string, ProviderState>();
  const byAggregate = new Map<string, ProviderState[]>();
  const sharing: ProviderState[] = [];
  let nested = false;
  // The snapshot is read in id order, so every list below is ascending without sorting.
  for (const p of all.values()) {
    byUuid.set(p.row.uuid, p);
    const root = p.row.root_provider_id;
    const tree = members.get(root);
    if (tree) tree.push(p);
    else {
      members.set(root, [p]);
      roots.push(root);
    }
    if (p.row.parent_provider_id !== null) nested = true;
    if (p.traits.has(SHARING_TRAIT)) sharing.push(p);
    for (const agg of p.aggregates) {
      const list = byAggregate.get(agg);
      if (list) list.push(p);
      else byAggregate.set(agg, [p]);
    }
  }
  roots.sort((a, b) => a - b);
  const anchorsOf = new Map<number, number[]>();
  const sharedInto = new Map<number, ProviderState[]>();
  for (const sp of sharing) {
    const anchors = new Set<number>();
    for (const agg of sp.aggregates) for (const p of byAggregate.get(agg) ?? []) anchors.add(p.row.root_provider_id);
    const sorted = [...anchors].sort((a, b) => a - b);
    anchorsOf.set(sp.row.id, sorted);
    for (const root of sorted) {
      const list = sharedInto.get(root);
      if (list) list.push(sp);
      else sharedInto.set(root, [sp]);
    }
  }
  const index: TreeIndex = { roots, members, byUuid, anchorsOf, sharedInto, nested };
  indexes.set(all, index);
  return index;
}

/** True when `ancestor` is `p` itself or above it in its tree. */
export function isAncestorOrSelf(all: Map<number, ProviderState>, ancestor: number, p: number): boolean {
  for (let cur: number | null = p; cur !== null; cur = all.get(cur)?.row.parent_provider_id ?? null) if (cur === ancestor) return true;
  return false;
}
