import { ApiError } from "./errors.js";
import type { JsonBody, Query, Session } from "./session.js";

export type Entity = Record<string, JsonBody> & { id: string };

/** Identity v3 collections: URL segment → JSON member name (singular) and the word errors use. */
export const KINDS = {
  users: "user",
  projects: "project",
  domains: "domain",
  groups: "group",
  roles: "role",
  services: "service",
  endpoints: "endpoint",
  regions: "region",
  credentials: "credential",
  policies: "policy",
} as const;
export type Kind = keyof typeof KINDS;

/** A failure the openstack client reports without an HTTP status (e.g. "No user with a name or ID of 'x' exists."). */
export class CommandError extends Error {
  override name = "CommandError";
}

/**
 * The identity v3 API as the CLI uses it: CRUD on collections and osc-lib's find_resource (an ID first,
 * then `?name=`), with the openstack client's wording when nothing or more than one thing matches.
 */
export class IdentityApi {
  constructor(readonly session: Session) {}

  async list(kind: Kind | string, query?: Query, member?: string): Promise<Entity[]> {
    const res = await this.session.get<Record<string, Entity[]>>("identity", `/${kind}`, { query });
    return res.body?.[member ?? kind.split("/").pop() ?? kind] ?? [];
  }

  async get(kind: Kind, id: string): Promise<Entity> {
    const res = await this.session.get<Record<string, Entity>>("identity", `/${kind}/${encodeURIComponent(id)}`);
    return res.body[KINDS[kind]] as Entity;
  }

  async create(kind: Kind, body: Record<string, unknown>): Promise<Entity> {
    const res = await this.session.post<Record<string, Entity>>("identity", `/${kind}`, { [KINDS[kind]]: body });
    return res.body[KINDS[kind]] as Entity;
  }

  async update(kind: Kind, id: string, body: Record<string, unknown>): Promise<Entity> {
    const res = await this.session.patch<Record<string, Entity>>("identity", `/${kind}/${encodeURIComponent(id)}`, { [KINDS[kind]]: body });
    return res.body[KINDS[kind]] as Entity;
  }

  async remove(kind: Kind, id: string): Promise<void> {
    await this.session.delete("identity", `/${kind}/${encodeURIComponent(id)}`);
  }

  /**
   * osc-lib's find_resource: GET by ID; on 404 list with `name=` (within a domain if given). Regions
   * and endpoints have no names, so only their IDs match.
   */
  async find(kind: Kind, nameOrId: string, opts: { domainId?: string } = {}): Promise<Entity> {
    try {
      return await this.get(kind, nameOrId);
    } catch (err) {
      if (!(err instanceof ApiError) || err.status !== 404) throw err;
    }
    const word = KINDS[kind];
    if (kind !== "regions" && kind !== "endpoints" && kind !== "credentials") {
      const found = await this.list(kind, { name: nameOrId, domain_id: opts.domainId });
      const exact = found.filter((e) => e.name === nameOrId);
      if (exact.length > 1) throw new CommandError(`More than one ${word} exists with the name '${nameOrId}'.`);
      if (exact.length === 1) return exact[0] as Entity;
    }
    throw new CommandError(`No ${word} with a name or ID of '${nameOrId}' exists.`);
  }

  /**
   * The openstack client's _find_identity_resource: when the caller may not look the thing up (403),
   * carry on with the value as its ID (Keystone then decides).
   */
  async findOrAssume(kind: Kind, nameOrId: string, opts: { domainId?: string } = {}): Promise<Entity> {
    try {
      return await this.find(kind, nameOrId, opts);
    } catch (err) {
      if (err instanceof ApiError && err.status === 403) return { id: nameOrId, name: nameOrId };
      throw err;
    }
  }

  async findDomain(nameOrId: string): Promise<Entity> {
    return this.findOrAssume("domains", nameOrId);
  }

  /** A domain flag given next to a user/project/group: its ID for scoping the lookup. */
  async domainId(nameOrId: string | undefined): Promise<string | undefined> {
    return nameOrId ? (await this.findDomain(nameOrId)).id : undefined;
  }

  async findUser(nameOrId: string, domain?: string): Promise<Entity> {
    return this.findOrAssume("users", nameOrId, { domainId: await this.domainId(domain) });
  }
  async findProject(nameOrId: string, domain?: string): Promise<Entity> {
    return this.findOrAssume("projects", nameOrId, { domainId: await this.domainId(domain) });
  }
  async findGroup(nameOrId: string, domain?: string): Promise<Entity> {
    return this.findOrAssume("groups", nameOrId, { domainId: await this.domainId(domain) });
  }
  async findRole(nameOrId: string, domain?: string): Promise<Entity> {
    return this.find("roles", nameOrId, { domainId: await this.domainId(domain) });
  }

  /** The openstack client's find_service: by ID, then by name, then by type. */
  async findService(nameOrTypeOrId: string): Promise<Entity> {
    try {
      return await this.get("services", nameOrTypeOrId);
    } catch (err) {
      if (!(err instanceof ApiError) || err.status !== 404) throw err;
    }
    const all = await this.list("services");
    const byName = all.filter((s) => s.name === nameOrTypeOrId);
    const matches = byName.length > 0 ? byName : all.filter((s) => s.type === nameOrTypeOrId);
    if (matches.length > 1)
      throw new CommandError(`Multiple service matches found for '${nameOrTypeOrId}', use an ID to be more specific.`);
    if (matches.length === 0) throw new CommandError(`No service with a type, name or ID of '${nameOrTypeOrId}' exists.`);
    return matches[0] as Entity;
  }
}

/** What `show`/`create` print: the entity without `links`, fields sorted (cliff's ShowOne of _info). */
export function showable(e: Record<string, unknown>, drop: string[] = []): Record<string, JsonBody> {
  const out: Record<string, JsonBody> = {};
  for (const k of Object.keys(e).sort()) if (k !== "links" && !drop.includes(k)) out[k] = e[k];
  return out;
}
