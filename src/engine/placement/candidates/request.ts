import type { Db } from "../../common/db/database.js";
import { HttpError } from "../../common/http/errors.js";
import { ErrorCode, badRequest } from "../errors.js";
import { type AggregateFilter, type TraitFilter, noAggregates, noTraits } from "../filters.js";
import type { Microversion } from "../microversion.js";
import { canonicalUuid, isUuid, parseMemberOf, parseRequired, parseResources, single } from "../query.js";

/** One request group: the unsuffixed one ("") may spread over a tree; a suffixed one lands on one provider. */
export interface RequestGroup {
  suffix: string;
  resources: Record<string, number>;
  traits: TraitFilter;
  memberOf: AggregateFilter;
  inTree?: string;
}

export interface CandidateRequest {
  groups: RequestGroup[];
  groupPolicy?: "none" | "isolate";
  limit?: number;
  rootRequired: TraitFilter;
  /** 1.36 `same_subtree`: each list of suffixes must be satisfied inside one subtree. */
  sameSubtrees: string[][];
}

const PARAM = /^(resources|required|member_of|in_tree)(.*)$/;

/**
 * Read GET /allocation_candidates' query string into request groups, honouring which parameters each
 * microversion knows: required (1.17), member_of (1.21), forbidden traits (1.22), numbered groups and
 * group_policy (1.25), in_tree (1.31), string suffixes (1.33), root_required (1.35), same_subtree and
 * resourceless suffixed groups (1.36).
 */
export function parseCandidateRequest(db: Db, query: URLSearchParams, v: Microversion): CandidateRequest {
  const suffixPattern = v.at(33) ? /^[A-Za-z0-9_-]{1,64}$/ : /^[1-9][0-9]*$/;
  const byGroup = new Map<string, Map<string, string[]>>();
  for (const key of new Set(query.keys())) {
    if (key === "limit" && v.at(16)) continue;
    if (key === "group_policy" && v.at(25)) continue;
    if (key === "root_required" && v.at(35)) continue;
    if (key === "same_subtree" && v.at(36)) continue;
    const m = PARAM.exec(key);
    const [, kind, suffix] = (m ?? []) as [string?, string?, string?];
    const known =
      m &&
      kind &&
      (kind === "resources" ||
        (kind === "required" && v.at(17)) ||
        (kind === "member_of" && v.at(21)) ||
        (kind === "in_tree" && v.at(31))) &&
      (suffix === "" || (v.at(25) && suffixPattern.test(suffix ?? "")));
    if (!known)
      throw new HttpError(400, `Invalid query string parameters: Additional properties are not allowed ('${key}' was unexpected)`);
    const group = byGroup.get(suffix as string) ?? new Map<string, string[]>();
    group.set(kind as string, query.getAll(key));
    byGroup.set(suffix as string, group);
  }
  const groups: RequestGroup[] = [];
  const orphans: string[] = [];
  for (const [suffix, params] of byGroup) {
    const resourcesRaw = params.get("resources");
    if (resourcesRaw && resourcesRaw.length > 1)
      throw badRequest(
        `Invalid query string parameters: 'resources${suffix}' may only appear once.`,
        ErrorCode.ILLEGAL_DUPLICATE_QUERYPARAM,
      );
    // From 1.36 a suffixed group may ask for no resources (checked against same_subtree below).
    if (!resourcesRaw && suffix !== "" && !v.at(36)) orphans.push(...[...params.keys()].map((k) => `${k}${suffix}`));
    const inTree = params.get("in_tree");
    if (inTree && (inTree.length > 1 || !isUuid(inTree[0] ?? "")))
      throw badRequest(
        `Invalid query string parameters: Expected 'in_tree${suffix}' parameter to be a format of uuid. Got: ${inTree.join(",")}`,
        ErrorCode.QUERYPARAM_BAD_VALUE,
      );
    groups.push({
      suffix,
      resources: resourcesRaw?.[0] !== undefined ? parseResources(db, resourcesRaw[0], `resources${suffix}`) : {},
      traits: params.has("required") ? parseRequired(db, params.get("required") ?? [], v, `required${suffix}`) : noTraits(),
      memberOf: params.has("member_of") ? parseMemberOf(params.get("member_of") ?? [], v, `member_of${suffix}`) : noAggregates(),
      inTree: inTree ? canonicalUuid(inTree[0] as string) : undefined,
    });
  }
  if (orphans.length > 0)
    throw badRequest(
      `All traits parameters must be associated with resources. Found the following orphaned traits keys: ${orphans.sort().join(", ")}`,
    );
  const sameSubtrees = v.at(36) ? parseSameSubtrees(query) : [];
  if (v.at(36)) checkResourceless(groups, sameSubtrees);
  else if (!groups.some((g) => Object.keys(g.resources).length > 0)) {
    if (!v.at(25)) throw badRequest("Invalid query string parameters: 'resources' is a required property");
    throw badRequest('At least one "resources" or "resources{N}" parameter must be specified.', ErrorCode.QUERYPARAM_MISSING_VALUE);
  }
  const groupPolicy = single(query, "group_policy");
  if (groupPolicy !== undefined && groupPolicy !== "none" && groupPolicy !== "isolate")
    throw badRequest(`Invalid query string parameters: '${groupPolicy}' is not one of ['none', 'isolate']`);
  // Every suffixed group lands on one provider, resourceless ones (1.36) included.
  const numbered = groups.filter((g) => g.suffix !== "" && (v.at(36) || Object.keys(g.resources).length > 0));
  if (numbered.length > 1 && groupPolicy === undefined)
    throw badRequest(
      'The "group_policy" parameter is required when specifying more than one "resources{N}" parameter.',
      ErrorCode.QUERYPARAM_MISSING_VALUE,
    );
  const limitRaw = single(query, "limit");
  let limit: number | undefined;
  if (limitRaw !== undefined) {
    if (!/^[1-9][0-9]*$/.test(limitRaw))
      throw badRequest(
        `Invalid query string parameters: Failed validating 'pattern' for 'limit': '${limitRaw}' does not match '^[1-9][0-9]*$'`,
      );
    limit = Number(limitRaw);
  }
  const rootRequiredRaw = query.getAll("root_required");
  const rootRequired = rootRequiredRaw.length > 0 ? parseRequired(db, rootRequiredRaw.slice(-1), v, "root_required") : noTraits();
  return {
    groups: groups.sort((a, b) => (a.suffix < b.suffix ? -1 : a.suffix > b.suffix ? 1 : 0)),
    groupPolicy: groupPolicy as CandidateRequest["groupPolicy"],
    limit,
    rootRequired,
    sameSubtrees,
  };
}

/** Python's repr of a list of strings, as placement's messages print them. */
const pyList = (items: string[]) => `[${items.map((s) => `'${s}'`).join(", ")}]`;

/** `same_subtree=_A,_B` (repeatable): lists of suffixes; the unsuffixed group cannot take part. */
function parseSameSubtrees(query: URLSearchParams): string[][] {
  return query.getAll("same_subtree").map((value) => {
    const suffixes = [...new Set(value.split(",").map((s) => s.trim()))];
    if (suffixes.includes(""))
      throw badRequest("Empty string (unsuffixed group) can not be specified in `same_subtree` ", ErrorCode.QUERYPARAM_BAD_VALUE);
    return suffixes;
  });
}

/**
 * 1.36 rules: some group must ask for resources; a group without resources must be named in a
 * same_subtree; and every suffix named there must be a group of this request.
 */
function checkResourceless(groups: RequestGroup[], sameSubtrees: string[][]): void {
  const resourceless = groups.filter((g) => Object.keys(g.resources).length === 0).map((g) => g.suffix);
  if (resourceless.length === groups.length)
    throw badRequest("There must be at least one resources or resources[$S] parameter.", ErrorCode.QUERYPARAM_MISSING_VALUE);
  const inSubtrees = new Set(sameSubtrees.flat());
  const loose = resourceless.filter((s) => !inSubtrees.has(s));
  if (loose.length > 0)
    throw badRequest(
      `Resourceless suffixed group request should be specified in \`same_subtree\` query param: bad group(s) - ${pyList(loose)}.`,
      ErrorCode.QUERYPARAM_BAD_VALUE,
    );
  const known = new Set(groups.map((g) => g.suffix));
  const unknown = [...inSubtrees].filter((s) => !known.has(s)).sort();
  if (unknown.length > 0)
    throw badRequest(
      `Real suffixes should be specified in \`same_subtree\`: ${pyList(unknown)} not found in ${pyList(groups.map((g) => g.suffix))}.`,
      ErrorCode.QUERYPARAM_BAD_VALUE,
    );
}
