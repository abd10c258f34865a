// Keystone's federation mapping language (keystone.federation.utils.RuleProcessor), the part that maps
// a request's attributes to a user: each rule has `remote` requirements on attributes (present, or
// any_one_of / not_any_of, with `regex`, or whitelist / blacklist) and a `local` part whose "{0}", "{1}"…
// are the values of the remote requirements that only ask for presence (direct maps), in order.
// Groups and ephemeral users are not part of this subset: a mapping that asks for them is refused.

type Dict = Record<string, unknown>;

export interface RemoteRequirement {
  type: string;
  any_one_of?: string[];
  not_any_of?: string[];
  whitelist?: string[];
  blacklist?: string[];
  regex?: boolean;
}

export interface MappingRule {
  local: Dict[];
  remote: RemoteRequirement[];
}

export interface MappedUser {
  id?: string;
  name?: string;
  domain?: { id?: string; name?: string };
  /** Keystone's default is ephemeral (a federated user known only through groups). */
  type: "local" | "ephemeral";
}

/** A mapping that cannot be used as written: the message names the rule and the field. */
export class MappingError extends Error {
  override name = "MappingError";
}

const isDict = (v: unknown): v is Dict => typeof v === "object" && v !== null && !Array.isArray(v);
const isStrings = (v: unknown): v is string[] => Array.isArray(v) && v.every((x) => typeof x === "string");

/** Check rules as `openstack mapping create --rules` would; accepts `[...]`, `{"rules": [...]}` or `{"mapping": {"rules": [...]}}`. */
export function parseRules(doc: unknown): MappingRule[] {
  let rules = doc;
  if (isDict(rules) && isDict(rules.mapping)) rules = rules.mapping.rules;
  else if (isDict(rules)) rules = rules.rules;
  if (!Array.isArray(rules) || rules.length === 0) throw new MappingError("the mapping must be a non-empty list of rules");
  return rules.map((rule, i) => {
    const where = `rule ${i}`;
    if (!isDict(rule)) throw new MappingError(`${where} is not an object`);
    const { local, remote } = rule;
    if (!Array.isArray(local) || local.length === 0 || !local.every(isDict))
      throw new MappingError(`${where}: 'local' must be a non-empty list of objects`);
    if (!Array.isArray(remote) || remote.length === 0 || !remote.every(isDict))
      throw new MappingError(`${where}: 'remote' must be a non-empty list of objects`);
    let directMaps = 0;
    for (const [j, r] of remote.entries()) {
      if (typeof r.type !== "string" || !r.type) throw new MappingError(`${where}: remote ${j} has no 'type'`);
      const conditions = ["any_one_of", "not_any_of", "whitelist", "blacklist"].filter((k) => k in r);
      if (conditions.length > 1) throw new MappingError(`${where}: remote ${j} may have only one of ${conditions.join(", ")}`);
      for (const k of conditions) if (!isStrings(r[k])) throw new MappingError(`${where}: remote ${j}: '${k}' must be a list of strings`);
      if (r.regex !== undefined && typeof r.regex !== "boolean")
        throw new MappingError(`${where}: remote ${j}: 'regex' must be true or false`);
      if (r.regex === true)
        for (const k of conditions)
          for (const p of r[k] as string[]) {
            try {
              new RegExp(p);
            } catch (e) {
              throw new MappingError(`${where}: remote ${j}: '${p}' is not a valid regular expression (${(e as Error).message})`);
            }
          }
      if (conditions.length === 0 || conditions[0] === "whitelist" || conditions[0] === "blacklist") directMaps++;
    }
    for (const l of local as Dict[]) {
      if ("group" in l || "groups" in l || "group_ids" in l)
        throw new MappingError(
          `${where}: groups are not supported here (only a local user: {"user": {"name": …, "domain": …, "type": "local"}})`,
        );
      if (!isDict(l.user)) throw new MappingError(`${where}: a local entry needs a 'user' object`);
      for (const m of JSON.stringify(l).matchAll(/\{(\d+)\}/g))
        if (Number(m[1]) >= directMaps)
          throw new MappingError(`${where}: the local part refers to {${m[1]}} but only ${directMaps} remote value(s) are direct maps`);
    }
    return { local: local as Dict[], remote: remote as unknown as RemoteRequirement[] };
  });
}

/** The values of one requirement, or null when the rule does not match. */
function matchRequirement(r: RemoteRequirement, assertion: Record<string, string>): string[] | null | "matched" {
  const raw = assertion[r.type];
  if (raw === undefined || raw === "") return null;
  // Keystone splits multi-valued attributes on ';'.
  const values = raw.split(";");
  const hit = (list: string[], v: string) => (r.regex ? list.some((p) => new RegExp(p).test(v)) : list.includes(v));
  if (r.any_one_of) return values.some((v) => hit(r.any_one_of as string[], v)) ? "matched" : null;
  if (r.not_any_of) return values.some((v) => hit(r.not_any_of as string[], v)) ? null : "matched";
  if (r.whitelist) return values.filter((v) => (r.whitelist as string[]).includes(v));
  if (r.blacklist) return values.filter((v) => !(r.blacklist as string[]).includes(v));
  return values;
}

function substitute(value: unknown, maps: string[][]): unknown {
  if (typeof value === "string") return value.replace(/\{(\d+)\}/g, (_m, i: string) => (maps[Number(i)] ?? []).join(";"));
  if (Array.isArray(value)) return value.map((v) => substitute(v, maps));
  if (isDict(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, substitute(v, maps)]));
  return value;
}

/** The user the attributes map to (every matching rule contributes, later ones win), or undefined when no rule matches. */
export function mapUser(rules: MappingRule[], assertion: Record<string, string>): MappedUser | undefined {
  let user: Dict | undefined;
  for (const rule of rules) {
    const maps: string[][] = [];
    let ok = true;
    for (const r of rule.remote) {
      const m = matchRequirement(r, assertion);
      if (m === null) {
        ok = false;
        break;
      }
      if (m !== "matched") maps.push(m);
    }
    if (!ok) continue;
    for (const l of rule.local) user = { ...(user ?? {}), ...(substitute(l.user, maps) as Dict) };
  }
  if (!user) return undefined;
  const domain = isDict(user.domain) ? { id: str(user.domain.id), name: str(user.domain.name) } : undefined;
  return { id: str(user.id), name: str(user.name), domain, type: user.type === "local" ? "local" : "ephemeral" };
}

const str = (v: unknown): string | undefined => (typeof v === "string" && v !== "" ? v : undefined);

/** Without a mapping file: the certificate's CN names a local user of the Default domain. */
export const DEFAULT_X509_RULES: MappingRule[] = [
  { local: [{ user: { name: "{0}", domain: { id: "default" }, type: "local" } }], remote: [{ type: "SSL_CLIENT_S_DN_CN" }] },
];
