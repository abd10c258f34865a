/**
 * The provider filters shared by GET /resource_providers and GET /allocation_candidates, as parsed from
 * the query string: traits (required, forbidden `!T`, any-of `in:A,B`) and aggregates (member_of).
 */
export interface TraitFilter {
  required: string[];
  forbidden: string[];
  /** Each inner list: at least one of these (1.39 `required=in:A,B`). */
  anyOf: string[][];
}
export interface AggregateFilter {
  /** Each inner list: member of at least one of these aggregates. */
  anyOf: string[][];
  /** Member of none of these (1.32 `member_of=!in:…`). */
  forbidden: string[];
}

export const noTraits = (): TraitFilter => ({ required: [], forbidden: [], anyOf: [] });
export const noAggregates = (): AggregateFilter => ({ anyOf: [], forbidden: [] });

export function traitsSatisfied(have: Set<string>, f: TraitFilter): boolean {
  return (
    f.required.every((t) => have.has(t)) &&
    !f.forbidden.some((t) => have.has(t)) &&
    f.anyOf.every((group) => group.some((t) => have.has(t)))
  );
}

export function aggregatesSatisfied(have: Set<string>, f: AggregateFilter): boolean {
  return f.anyOf.every((group) => group.some((a) => have.has(a))) && !f.forbidden.some((a) => have.has(a));
}

export const isEmptyTraitFilter = (f: TraitFilter) => f.required.length + f.forbidden.length + f.anyOf.length === 0;
