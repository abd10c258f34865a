import { CommandError } from "./identity.js";
import { ApiError } from "./errors.js";
import type { JsonBody, Query, Session } from "./session.js";

/** The compute microversion python-openstackclient 6.0 speaks unless --os-compute-api-version says otherwise. */
export const DEFAULT_COMPUTE_API_VERSION = "2.1";

/** openstacksdk resources cap the microversion they negotiate (Flavor 2.61, Keypair 2.10, …). */
export const SDK_MAX = {
  flavor: "2.61",
  keypair: "2.10",
  service: "2.69",
  serverGroup: "2.64",
  remoteConsole: "2.8",
  server: "2.73",
} as const;

/** What the API shows for a server booted from a volume (no image). */
export const IMAGE_STRING_FOR_BFV = "N/A (booted from volume)";

/** Nova's power_state integers, as the openstack client names them. */
const POWER_STATES = ["NOSTATE", "Running", "", "Paused", "Shutdown", "", "Crashed", "Suspended"];

export function powerStateName(v: unknown): string {
  return typeof v === "number" && POWER_STATES[v] !== undefined ? (POWER_STATES[v] as string) : "N/A";
}

/** "2.10" → [2, 10] so versions compare numerically. */
export function parseVersion(v: string): [number, number] {
  const m = /^(\d+)\.(\d+)$/.exec(v.trim());
  if (!m) throw new CommandError(`Invalid compute API version '${v}': expected <major>.<minor>, e.g. 2.79`);
  return [Number(m[1]), Number(m[2])];
}

export function versionAtLeast(v: string, min: string): boolean {
  const [a, b] = parseVersion(v);
  const [c, d] = parseVersion(min);
  return a > c || (a === c && b >= d);
}

export const minVersion = (a: string, b: string): string => (versionAtLeast(a, b) ? b : a);

export type Resource = Record<string, JsonBody>;

/**
 * The compute API as the CLI uses it (novaclient/openstacksdk's role): one microversion per client,
 * osc-lib's find_resource for servers/flavors (an ID first, then the name), images from Glance, and
 * the wait loops of `--wait`.
 */
export class ComputeApi {
  constructor(
    readonly session: Session,
    readonly microversion: string = DEFAULT_COMPUTE_API_VERSION,
  ) {}

  /** A client for the same cloud at another microversion (openstacksdk's per-resource negotiation). */
  at(microversion: string): ComputeApi {
    return microversion === this.microversion ? this : new ComputeApi(this.session, microversion);
  }

  atLeast(min: string): boolean {
    return versionAtLeast(this.microversion, min);
  }

  async call<T = JsonBody>(method: string, path: string, opts: { body?: unknown; query?: Query } = {}): Promise<T> {
    const res = await this.session.request<T>("compute", method, path, { ...opts, microversion: this.microversion });
    return res.body;
  }

  get<T = JsonBody>(path: string, query?: Query): Promise<T> {
    return this.call<T>("GET", path, { query });
  }

  /** The newest microversion the server offers (GET /, the v2.1 version document). */
  async maxVersion(): Promise<string> {
    const base = await this.session.endpointFor("compute");
    const res = await this.session.request<{ version?: { version?: string } }>(
      base.replace(/\/v2(\.1)?(\/[^/]*)?\/?$/, "/v2.1/"),
      "GET",
      "",
      {},
    );
    return res.body?.version?.version || DEFAULT_COMPUTE_API_VERSION;
  }

  /** POST /servers/{id}/action: one server action (os-stop, reboot, …). */
  action<T = JsonBody>(serverId: string, body: Record<string, unknown>): Promise<T> {
    return this.call<T>("POST", `/servers/${encodeURIComponent(serverId)}/action`, { body });
  }

  async getServer(id: string): Promise<Resource> {
    return (await this.get<{ server: Resource }>(`/servers/${encodeURIComponent(id)}`)).server;
  }

  /** Every page of /servers/detail (following servers_links) with the given filters. */
  async listServers(query: Query = {}, limit?: number): Promise<Resource[]> {
    const out: Resource[] = [];
    let q: Query = { ...query, limit };
    for (;;) {
      const body = await this.get<{ servers: Resource[]; servers_links?: Array<{ rel: string; href: string }> }>("/servers/detail", q);
      out.push(...(body.servers ?? []));
      const next = body.servers_links?.find((l) => l.rel === "next");
      if (limit !== undefined || !next || (body.servers ?? []).length === 0) break;
      const marker = new URL(next.href).searchParams.get("marker");
      if (!marker) break;
      q = { ...query, marker };
    }
    return out;
  }

  /** osc-lib find_resource on servers: GET by ID, else an exact name match in the list. */
  async findServer(nameOrId: string, opts: { allProjects?: boolean } = {}): Promise<Resource> {
    try {
      return await this.getServer(nameOrId);
    } catch (e) {
      if (!(e instanceof ApiError) || (e.status !== 404 && e.status !== 400)) throw e;
    }
    const found = (
      await this.listServers({ name: `^${escapeRegex(nameOrId)}$`, all_tenants: opts.allProjects ? "True" : undefined })
    ).filter((s) => s.name === nameOrId);
    if (found.length > 1) throw new CommandError(`More than one server exists with the name '${nameOrId}'.`);
    if (found.length === 1) return found[0] as Resource;
    throw new CommandError(`No server with a name or ID of '${nameOrId}' exists.`);
  }

  async listFlavors(query: Query = { is_public: "None" }): Promise<Resource[]> {
    return (await this.get<{ flavors: Resource[] }>("/flavors/detail", query)).flavors ?? [];
  }

  /** find_resource on flavors: GET by ID, else by name among all flavors the caller can see. */
  async findFlavor(nameOrId: string): Promise<Resource> {
    try {
      return (await this.get<{ flavor: Resource }>(`/flavors/${encodeURIComponent(nameOrId)}`)).flavor;
    } catch (e) {
      if (!(e instanceof ApiError) || e.status !== 404) throw e;
    }
    const found = (await this.listFlavors()).filter((f) => f.name === nameOrId);
    if (found.length > 1) throw new CommandError(`More than one flavor exists with the name '${nameOrId}'.`);
    if (found.length === 1) return found[0] as Resource;
    throw new CommandError(`No flavor with a name or ID of '${nameOrId}' exists.`);
  }

  async findServerGroup(nameOrId: string): Promise<Resource> {
    try {
      return (await this.get<{ server_group: Resource }>(`/os-server-groups/${encodeURIComponent(nameOrId)}`)).server_group;
    } catch (e) {
      if (!(e instanceof ApiError) || (e.status !== 404 && e.status !== 400)) throw e;
    }
    const all = (await this.get<{ server_groups: Resource[] }>("/os-server-groups")).server_groups ?? [];
    const found = all.filter((g) => g.name === nameOrId);
    if (found.length > 1) throw new CommandError(`More than one ServerGroup exists with the name '${nameOrId}'.`);
    if (found.length === 1) return found[0] as Resource;
    throw new CommandError(`No ServerGroup found for ${nameOrId}`);
  }

  /** find_resource on hypervisors: the ID, else the hostname. */
  async findHypervisor(nameOrId: string): Promise<Resource> {
    const all = (await this.get<{ hypervisors: Resource[] }>("/os-hypervisors/detail")).hypervisors ?? [];
    const byId = all.find((h) => String(h.id) === nameOrId);
    if (byId) return byId;
    const found = all.filter((h) => h.hypervisor_hostname === nameOrId);
    if (found.length > 1) throw new CommandError(`More than one hypervisor exists with the name '${nameOrId}'.`);
    if (found.length === 1) return found[0] as Resource;
    throw new CommandError(`No hypervisor with a name or ID of '${nameOrId}' exists.`);
  }

  // --- images live in Glance ---

  async getImage(id: string): Promise<Resource> {
    return (await this.session.get<Resource>("image", `/v2/images/${encodeURIComponent(id)}`)).body;
  }

  /** Every image the caller can see (all pages), for the name lookups of `server list`. */
  async listImages(): Promise<Resource[]> {
    const out: Resource[] = [];
    let path = "/v2/images";
    for (let page = 0; page < 100; page++) {
      const body = (await this.session.get<{ images: Resource[]; next?: string }>("image", path)).body;
      out.push(...(body.images ?? []));
      if (!body.next) break;
      path = body.next.replace(/^\/?(v2\/)?/, "/v2/");
    }
    return out;
  }

  /** openstacksdk find_image: the ID, else the one image with that name. */
  async findImage(nameOrId: string): Promise<Resource> {
    if (/^[0-9a-f-]{32,36}$/i.test(nameOrId)) {
      try {
        return await this.getImage(nameOrId);
      } catch (e) {
        if (!(e instanceof ApiError) || e.status !== 404) throw e;
      }
    }
    const body = (await this.session.get<{ images: Resource[] }>("image", "/v2/images", { query: { name: nameOrId } })).body;
    const found = (body.images ?? []).filter((i) => i.name === nameOrId);
    if (found.length > 1) throw new CommandError(`More than one Image exists with the name '${nameOrId}'.`);
    if (found.length === 1) return found[0] as Resource;
    throw new CommandError(`No Image found for ${nameOrId}`);
  }

  // --- waiting, as osc-lib's wait_for_status / wait_for_delete do (polling GET /servers/{id}) ---

  async waitForStatus(
    id: string,
    opts: { success?: string[]; error?: string[]; intervalMs?: number; timeoutMs?: number; onPoll?: (s: Resource) => void } = {},
  ): Promise<{ ok: boolean; server: Resource }> {
    const success = opts.success ?? ["active"];
    const error = opts.error ?? ["error"];
    const until = Date.now() + (opts.timeoutMs ?? 3_600_000);
    for (;;) {
      const server = await this.getServer(id);
      const status = String(server.status ?? "").toLowerCase();
      if (success.includes(status)) return { ok: true, server };
      if (error.includes(status)) return { ok: false, server };
      opts.onPoll?.(server);
      if (Date.now() > until) return { ok: false, server };
      await sleep(opts.intervalMs ?? 500);
    }
  }

  /** True once GET answers 404; false if the server went to ERROR or the timeout passed. */
  async waitForDelete(
    id: string,
    opts: { intervalMs?: number; timeoutMs?: number; onPoll?: (s: Resource) => void } = {},
  ): Promise<boolean> {
    const until = Date.now() + (opts.timeoutMs ?? 300_000);
    while (Date.now() < until) {
      let server: Resource;
      try {
        server = await this.getServer(id);
      } catch (e) {
        if (e instanceof ApiError && e.status === 404) return true;
        throw e;
      }
      if (String(server.status ?? "").toLowerCase() === "error") return false;
      opts.onPoll?.(server);
      await sleep(opts.intervalMs ?? 500);
    }
    return false;
  }

  /** Polls os-getConsoleOutput until `pattern` appears (the guest printed its login prompt). */
  async waitForConsole(id: string, pattern: RegExp, opts: { intervalMs?: number; timeoutMs?: number } = {}): Promise<boolean> {
    const until = Date.now() + (opts.timeoutMs ?? 600_000);
    while (Date.now() < until) {
      try {
        const body = await this.action<{ output?: string }>(id, { "os-getConsoleOutput": { length: 50 } });
        if (pattern.test(body?.output ?? "")) return true;
      } catch (e) {
        // 409 while the instance is not running yet: keep polling.
        if (!(e instanceof ApiError) || e.status !== 409) throw e;
      }
      await sleep(opts.intervalMs ?? 1000);
    }
    return false;
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const escapeRegex = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

// --- osc-lib's column formatters: the text cliff shows in tables, the data it shows in JSON/YAML ---

/** A formatted cell: `human` for table/value/shell/csv, `machine` for json/yaml (cliff FormattableColumn). */
export class Formatted {
  constructor(
    readonly human: string,
    readonly machine: unknown,
  ) {}
}

/** format_dict: "a='1', b='2'" (sorted keys; nested dicts as a.b='…'). */
export function formatDict(data: Record<string, unknown> | null | undefined, prefix?: string): string {
  if (!data) return "";
  const parts: string[] = [];
  for (const k of Object.keys(data).sort()) {
    const key = prefix ? `${prefix}.${k}` : k;
    const v = data[k];
    if (v !== null && typeof v === "object" && !Array.isArray(v)) parts.push(formatDict(v as Record<string, unknown>, key));
    else if (v !== null && v !== undefined) parts.push(`${key}='${pyStr(v)}'`);
    else parts.push(`${key}=`);
  }
  return parts.join(", ");
}

/** format_dict_of_list: "net1=10.0.0.3, 10.0.0.4; net2=…". */
export function formatDictOfList(data: Record<string, unknown[] | null> | null | undefined): string {
  if (!data) return "";
  return Object.keys(data)
    .sort()
    .filter((k) => data[k] !== null && data[k] !== undefined)
    .map((k) => `${k}=${formatList((data[k] ?? []).map(String))}`)
    .join("; ");
}

/** format_list: sorted, comma separated. */
export function formatList(data: unknown[] | null | undefined): string {
  return data ? data.map(String).sort().join(", ") : "";
}

/** format_list_of_dicts: one format_dict per line. */
export function formatListOfDicts(data: Array<Record<string, unknown>> | null | undefined): string {
  return data ? data.map((d) => formatDict(d)).join("\n") : "";
}

export const dictColumn = (v: unknown) => new Formatted(formatDict(v as Record<string, unknown>), v ?? {});
export const listColumn = (v: unknown) => new Formatted(formatList(v as unknown[]), v ?? []);
export const listDictColumn = (v: unknown) => new Formatted(formatListOfDicts(v as Array<Record<string, unknown>>), v ?? []);
export const dictListColumn = (v: unknown) => new Formatted(formatDictOfList(v as Record<string, unknown[]>), v ?? {});
export const powerStateColumn = (v: unknown) => new Formatted(powerStateName(v), v);

/** Python's str() of a scalar (True/False/None, 1.0 stays "1.0" only if it was a float: JSON can't tell). */
function pyStr(v: unknown): string {
  if (v === true) return "True";
  if (v === false) return "False";
  if (v === null || v === undefined) return "None";
  if (typeof v === "object") return JSON.stringify(v);
  return String(v);
}

/** novaclient's Server.networks: network label → its addresses, in the API's order. */
export function serverNetworks(server: Resource): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [label, addrs] of Object.entries((server.addresses ?? {}) as Record<string, Array<{ addr: string }>>))
    out[label] = (addrs ?? []).map((a) => a.addr);
  return out;
}

/**
 * _prep_server_detail: the server's own fields, with image and flavor as "name (id)", the address,
 * property, security group and volume columns formatted, tenant_id as project_id, and no links.
 */
export async function prepServerDetail(compute: ComputeApi, server: Resource): Promise<Record<string, unknown>> {
  const info: Record<string, unknown> = { ...server };
  const image = info.image as Resource | string | undefined;
  if (image && typeof image === "object" && image.id) {
    const id = String(image.id);
    try {
      info.image = `${(await compute.getImage(id)).name} (${id})`;
    } catch {
      info.image = id;
    }
  } else info.image = IMAGE_STRING_FOR_BFV;
  const flavor = (info.flavor ?? {}) as Resource;
  if ("id" in flavor) {
    const id = String(flavor.id);
    try {
      info.flavor = `${(await compute.findFlavor(id)).name} (${id})`;
    } catch {
      info.flavor = id;
    }
  } else info.flavor = dictColumn(flavor);
  if ("os-extended-volumes:volumes_attached" in info) {
    info.volumes_attached = listDictColumn(info["os-extended-volumes:volumes_attached"]);
    delete info["os-extended-volumes:volumes_attached"];
  }
  if ("security_groups" in info) info.security_groups = listDictColumn(info.security_groups);
  if ("tags" in info) info.tags = listColumn(info.tags);
  info.addresses = dictListColumn(serverNetworks(server));
  info.properties = dictColumn(info.metadata ?? {});
  delete info.metadata;
  if ("tenant_id" in info) {
    info.project_id = info.tenant_id;
    delete info.tenant_id;
  }
  if ("OS-EXT-STS:power_state" in info) info["OS-EXT-STS:power_state"] = powerStateColumn(info["OS-EXT-STS:power_state"]);
  delete info.links;
  return sortedObject(info);
}

export function sortedObject(o: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.keys(o)
      .sort()
      .map((k) => [k, o[k]]),
  );
}

/** A Python float's text (1 → "1.0"): the openstack client prints rxtx_factor that way. */
export const pyFloat = (v: unknown) => (typeof v === "number" ? new PyFloatCell(Number.isInteger(v) ? v.toFixed(1) : String(v), v) : v);

/** A plain Python float (not a formatter column): cliff right-aligns it in list tables like any number. */
export class PyFloatCell extends Formatted {}

/**
 * An openstacksdk Flavor as `openstack flavor show/create` prints it: every attribute, renamed to the
 * API's extension names, sorted; properties = extra specs.
 */
export function sdkFlavorView(
  flavor: Resource,
  extraSpecs: Record<string, unknown> | undefined,
  withAccess?: { ids: string[] | null },
): Record<string, unknown> {
  const view: Record<string, unknown> = {
    "OS-FLV-DISABLED:disabled": flavor["OS-FLV-DISABLED:disabled"] ?? null,
    "OS-FLV-EXT-DATA:ephemeral": flavor["OS-FLV-EXT-DATA:ephemeral"] ?? 0,
    description: flavor.description ?? null,
    disk: flavor.disk ?? 0,
    id: flavor.id,
    name: flavor.name,
    "os-flavor-access:is_public": flavor["os-flavor-access:is_public"] ?? true,
    properties: dictColumn(extraSpecs ?? flavor.extra_specs ?? {}),
    ram: flavor.ram ?? 0,
    rxtx_factor: pyFloat(flavor.rxtx_factor ?? null),
    swap: flavor.swap ?? 0,
    vcpus: flavor.vcpus ?? 0,
  };
  if (withAccess) view.access_project_ids = withAccess.ids;
  return sortedObject(view);
}

/** The flavor's extra specs: inline from 2.61, else GET /flavors/{id}/os-extra_specs. */
export async function flavorExtraSpecs(compute: ComputeApi, flavor: Resource): Promise<Record<string, unknown>> {
  if (flavor.extra_specs && Object.keys(flavor.extra_specs).length) return flavor.extra_specs;
  try {
    return (
      (await compute.get<{ extra_specs: Record<string, unknown> }>(`/flavors/${encodeURIComponent(String(flavor.id))}/os-extra_specs`))
        .extra_specs ?? {}
    );
  } catch {
    return {};
  }
}

/** An openstacksdk Keypair as `openstack keypair show/create` prints it (sorted; id is the name). */
export function sdkKeypairView(k: Resource, hide: { publicKey?: boolean; privateKey?: boolean } = {}): Record<string, unknown> {
  const view: Record<string, unknown> = {
    created_at: k.created_at ?? null,
    fingerprint: k.fingerprint ?? null,
    id: k.name ?? null,
    is_deleted: k.deleted ?? null,
    name: k.name ?? null,
    private_key: k.private_key ?? null,
    public_key: k.public_key ?? null,
    type: k.type ?? null,
    user_id: k.user_id ?? null,
  };
  if (hide.publicKey) delete view.public_key;
  if (hide.privateKey) delete view.private_key;
  return view;
}

/**
 * An openstacksdk ServerGroup as `openstack server group show/create` prints it: members as a list,
 * `policy` + `rules` from 2.64 (else `policies`), project/user IDs, sorted.
 */
export function sdkServerGroupView(g: Resource, microversion: string): Record<string, unknown> {
  const view: Record<string, unknown> = {
    id: g.id,
    members: listColumn(g.members ?? []),
    name: g.name,
    project_id: g.project_id ?? null,
    user_id: g.user_id ?? null,
  };
  if (versionAtLeast(microversion, "2.64")) {
    view.policy = g.policy ?? null;
    view.rules = dictColumn(g.rules ?? {});
  } else view.policies = listColumn(g.policies ?? []);
  return sortedObject(view);
}
