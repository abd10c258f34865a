import type { Microversion } from "../microversion.js";
import { capacity } from "../store/inventories.js";
import type { ProviderState } from "../store/snapshot.js";
import type { CandidateRequest } from "./request.js";
import type { Amounts, Candidate } from "./solve.js";
import { treeIndex } from "./tree-index.js";

const q = JSON.stringify as (s: string) => string;

/**
 * A provider's texts per response shape: its summary, and its allocation request when it alone holds
 * a candidate. Snapshot provider objects are immutable and replaced when anything about them changes
 * (store/snapshot.ts), so a text stays right for as long as the object lives: across queries, and
 * across claims on other providers.
 */
const summaries = new WeakMap<ProviderState, Map<string, string>>();
function summaryText(p: ProviderState, shape: string, render: () => string): string {
  let byShape = summaries.get(p);
  if (!byShape) {
    byShape = new Map();
    summaries.set(p, byShape);
  }
  let text = byShape.get(shape);
  if (text === undefined) {
    text = render();
    byShape.set(shape, text);
  }
  return text;
}

/**
 * The same text as one flat string. Strings built with `+=` are trees of pieces that every join walks
 * again; a text reused in each response is worth flattening once (join writes a flat copy).
 */
const flat = (s: string) => {
  // Reading a character makes V8 flatten the string in place.
  s.charCodeAt(s.length >> 1);
  return s;
};

/** A provider's uuid as a JSON string, kept as long as its snapshot object lives. */
const quotedUuids = new WeakMap<ProviderState, string>();

/** Resource class names and traits are few and repeat in every entry: quote each once per process. */
const quotedNames = new Map<string, string>();
function qn(name: string): string {
  let s = quotedNames.get(name);
  if (s === undefined) {
    s = q(name);
    if (quotedNames.size < 10_000) quotedNames.set(name, s);
  }
  return s;
}

/**
 * The GET /allocation_candidates body as JSON text, written directly: with a thousand hosts the answer
 * is ~400 KB, and building it as objects first and then stringifying doubles the time and the garbage.
 * The shapes per microversion are placement's: the list form before 1.12, `mappings` from 1.34,
 * traits in summaries from 1.17, every inventory (not only the requested classes) from 1.27, and tree
 * fields plus every provider of the trees involved from 1.29.
 */
export function renderCandidates(
  v: Microversion,
  request: CandidateRequest,
  candidates: Candidate[],
  all: Map<number, ProviderState>,
): string {
  const uuidOf = (id: number) => {
    const p = all.get(id) as ProviderState;
    let s = quotedUuids.get(p);
    if (s === undefined) {
      s = q(p.row.uuid);
      quotedUuids.set(p, s);
    }
    return s;
  };
  const parts: string[] = ['{"allocation_requests":['];
  const dictForm = v.at(12);
  const withMappings = v.at(34);
  // Candidates share their amount lists (every host gets the same VCPU:1,…): write each list once.
  const amountsText = new Map<Amounts, string>();
  const amountsOf = (amounts: Amounts) => {
    let s = amountsText.get(amounts);
    if (s === undefined) {
      s = "";
      for (const [rc, amount] of amounts) s += `${s === "" ? "" : ","}${qn(rc)}:${amount}`;
      s = flat(s);
      amountsText.set(amounts, s);
    }
    return s;
  };
  // The cache key of a one-provider candidate's text, per suffix and amounts (built once, not per candidate).
  const requestShapes = new Map<Amounts, Map<string, string>>();
  const requestShape = (suffix: string, amounts: Amounts) => {
    let bySuffix = requestShapes.get(amounts);
    if (!bySuffix) {
      bySuffix = new Map();
      requestShapes.set(amounts, bySuffix);
    }
    let key = bySuffix.get(suffix);
    if (key === undefined) {
      key = flat(`request:${dictForm}:${withMappings}:${suffix}:${amountsOf(amounts)}`);
      bySuffix.set(suffix, key);
    }
    return key;
  };
  for (let i = 0; i < candidates.length; i++) {
    const cand = candidates[i] as Candidate;
    const single = singleProvider(cand);
    if (single !== undefined) {
      // The common answer (a flavor on a compute node) is one provider: its text is kept with the provider.
      const [rp, amounts, suffix] = single;
      const text = summaryText(all.get(rp) as ProviderState, requestShape(suffix, amounts), () =>
        flat(candidateText(cand, dictForm, withMappings, uuidOf, amountsOf)),
      );
      parts.push(i === 0 ? text : `,${text}`);
      continue;
    }
    parts.push((i === 0 ? "" : ",") + candidateText(cand, dictForm, withMappings, uuidOf, amountsOf));
  }
  parts.push('],"provider_summaries":{');

  // Which providers get a summary: those in a request; from 1.29 every provider of their trees.
  const nested = v.at(29);
  const summarized = new Set<number>();
  const index = nested ? treeIndex(all) : undefined;
  for (const cand of candidates)
    for (const [rp] of cand.allocations) {
      if (!index) summarized.add(rp);
      else for (const p of index.members.get((all.get(rp) as ProviderState).row.root_provider_id) ?? []) summarized.add(p.row.id);
    }
  const requested = v.at(27) ? undefined : new Set(request.groups.flatMap((g) => Object.keys(g.resources)));
  const shape = `${v.at(17)}:${nested}:${requested ? [...requested].sort().join(",") : "*"}`;
  let firstSummary = true;
  for (const id of [...summarized].sort((a, b) => a - b)) {
    const p = all.get(id) as ProviderState;
    const text = summaryText(p, shape, () => {
      let res = "";
      for (const [rc, inv] of p.inventories) {
        if (requested && !requested.has(rc)) continue;
        res += `${res === "" ? "" : ","}${qn(rc)}:{"capacity":${capacity(inv)},"used":${p.used.get(rc) ?? 0}}`;
      }
      let s = `${uuidOf(id)}:{"resources":{${res}}`;
      if (v.at(17)) s += p.traits.size === 0 ? ',"traits":[]' : `,"traits":[${[...p.traits].sort().map(qn).join(",")}]`;
      if (nested)
        s += `,"parent_provider_uuid":${p.row.parent_provider_id === null ? "null" : uuidOf(p.row.parent_provider_id)},"root_provider_uuid":${uuidOf(p.row.root_provider_id)}`;
      return flat(`${s}}`);
    });
    parts.push(firstSummary ? text : `,${text}`);
    firstSummary = false;
  }
  parts.push("}}");
  return parts.join("");
}

/** The one provider, its amounts and its group's suffix, when a candidate is one group on one provider. */
function singleProvider(cand: Candidate): [number, Amounts, string] | undefined {
  if (cand.allocations.length !== 1 || cand.mappings.length !== 1) return undefined;
  const [rp, amounts] = cand.allocations[0] as [number, Amounts];
  const [suffix, ids] = cand.mappings[0] as [string, number[]];
  return ids.length === 1 && ids[0] === rp ? [rp, amounts, suffix] : undefined;
}

/** One allocation request as JSON text, in the shape of the microversion (list form before 1.12, mappings from 1.34). */
function candidateText(
  cand: Candidate,
  dictForm: boolean,
  withMappings: boolean,
  uuidOf: (id: number) => string,
  amountsOf: (amounts: Amounts) => string,
): string {
  let s = dictForm ? '{"allocations":{' : '{"allocations":[';
  for (let k = 0; k < cand.allocations.length; k++) {
    const [rp, amounts] = cand.allocations[k] as [number, Amounts];
    if (k > 0) s += ",";
    s += dictForm
      ? `${uuidOf(rp)}:{"resources":{${amountsOf(amounts)}}}`
      : `{"resource_provider":{"uuid":${uuidOf(rp)}},"resources":{${amountsOf(amounts)}}}`;
  }
  s += dictForm ? "}" : "]";
  if (dictForm && withMappings) {
    s += ',"mappings":{';
    for (let k = 0; k < cand.mappings.length; k++) {
      const [suffix, ids] = cand.mappings[k] as [string, number[]];
      s += `${k > 0 ? "," : ""}${qn(suffix)}:[${ids.length === 1 ? uuidOf(ids[0] as number) : ids.map(uuidOf).join(",")}]`;
    }
    s += "}";
  }
  return `${s}}`;
}
