import type { Db } from "../../common/db/database.js";
import { conflict, notFound } from "../errors.js";
import { extraOf, newId, parseExtra } from "./util.js";

export interface Region {
  id: string;
  description: string;
  parent_region_id: string | null;
  [extra: string]: unknown;
}
export interface Service {
  id: string;
  type: string;
  name?: string;
  description?: string;
  enabled: boolean;
  [extra: string]: unknown;
}
export interface Endpoint {
  id: string;
  interface: string;
  service_id: string;
  url: string;
  region_id: string | null;
  region: string | null;
  enabled: boolean;
  [extra: string]: unknown;
}
/** One service of the catalog as a token carries it. */
export interface CatalogEntry {
  id: string;
  type: string;
  name: string;
  endpoints: Array<{ id: string; interface: string; region_id: string | null; region: string | null; url: string }>;
}

interface ServiceRow {
  id: string;
  type: string;
  enabled: number;
  extra: string;
}
interface EndpointRow {
  id: string;
  interface: string;
  service_id: string;
  url: string;
  region_id: string | null;
  enabled: number;
  extra: string;
}

export const INTERFACES = ["public", "internal", "admin"];

/** Regions, services and endpoints; the rendered catalog is cached until one of them changes. */
export class CatalogBackend {
  private catalogCache?: CatalogEntry[];
  private cacheVersion = "";
  /** @param version changes whenever the database does, so another process's writes show up too. */
  constructor(
    private readonly db: Db,
    private readonly version: () => string = () => "",
  ) {}

  private changed(): void {
    this.catalogCache = undefined;
  }

  // ---- regions
  createRegion(r: { id?: string; description?: string; parent_region_id?: string | null; [k: string]: unknown }): Region {
    const id = r.id ?? newId();
    if (this.findRegion(id)) throw conflict("region", `Duplicate ID, ${id}`);
    if (r.parent_region_id && !this.findRegion(r.parent_region_id)) throw notFound("region", r.parent_region_id);
    this.db
      .prepare("INSERT INTO region (id, description, parent_region_id, extra) VALUES (?, ?, ?, ?)")
      .run(id, r.description ?? "", r.parent_region_id ?? null, JSON.stringify(extraOf(r, ["id", "description", "parent_region_id"])));
    this.changed();
    return this.getRegion(id);
  }
  findRegion(id: string): Region | undefined {
    const r = this.db
      .prepare<[string], { id: string; description: string; parent_region_id: string | null; extra: string }>(
        "SELECT * FROM region WHERE id = ?",
      )
      .get(id);
    return r && { ...parseExtra(r.extra), id: r.id, description: r.description, parent_region_id: r.parent_region_id };
  }
  getRegion(id: string): Region {
    const r = this.findRegion(id);
    if (!r) throw notFound("region", id);
    return r;
  }
  listRegions(f: { parent_region_id?: string } = {}): Region[] {
    const ids = this.db
      .prepare<[], { id: string; parent_region_id: string | null }>("SELECT id, parent_region_id FROM region ORDER BY id")
      .all();
    return ids
      .filter((r) => f.parent_region_id === undefined || r.parent_region_id === f.parent_region_id)
      .map((r) => this.getRegion(r.id));
  }
  updateRegion(id: string, patch: Record<string, unknown>): Region {
    const cur = this.getRegion(id);
    const m = { ...cur, ...patch };
    if (patch.parent_region_id && !this.findRegion(String(patch.parent_region_id)))
      throw notFound("region", String(patch.parent_region_id));
    this.db
      .prepare("UPDATE region SET description = ?, parent_region_id = ?, extra = ? WHERE id = ?")
      .run(
        String(m.description ?? ""),
        (m.parent_region_id as string | null) ?? null,
        JSON.stringify(extraOf(m, ["id", "description", "parent_region_id"])),
        id,
      );
    this.changed();
    return this.getRegion(id);
  }
  deleteRegion(id: string): void {
    this.getRegion(id);
    this.db.prepare("UPDATE endpoint SET region_id = NULL WHERE region_id = ?").run(id);
    this.db.prepare("UPDATE region SET parent_region_id = NULL WHERE parent_region_id = ?").run(id);
    this.db.prepare("DELETE FROM region WHERE id = ?").run(id);
    this.changed();
  }

  // ---- services
  private toService(r: ServiceRow): Service {
    return { ...parseExtra(r.extra), id: r.id, type: r.type, enabled: r.enabled === 1 };
  }
  createService(s: { id?: string; type: string; name?: string; description?: string; enabled?: boolean; [k: string]: unknown }): Service {
    const id = s.id ?? newId();
    this.db
      .prepare("INSERT INTO service (id, type, enabled, extra) VALUES (?, ?, ?, ?)")
      .run(id, s.type, s.enabled === false ? 0 : 1, JSON.stringify(extraOf(s, ["id", "type", "enabled"])));
    this.changed();
    return this.getService(id);
  }
  findService(id: string): Service | undefined {
    const r = this.db.prepare<[string], ServiceRow>("SELECT * FROM service WHERE id = ?").get(id);
    return r && this.toService(r);
  }
  getService(id: string): Service {
    const s = this.findService(id);
    if (!s) throw notFound("service", id);
    return s;
  }
  listServices(f: { type?: string; name?: string } = {}): Service[] {
    return this.db
      .prepare<[], ServiceRow>("SELECT * FROM service ORDER BY rowid")
      .all()
      .map((r) => this.toService(r))
      .filter((s) => (f.type === undefined || s.type === f.type) && (f.name === undefined || s.name === f.name));
  }
  updateService(id: string, patch: Record<string, unknown>): Service {
    const m = { ...this.getService(id), ...patch };
    this.db
      .prepare("UPDATE service SET type = ?, enabled = ?, extra = ? WHERE id = ?")
      .run(String(m.type), m.enabled === false ? 0 : 1, JSON.stringify(extraOf(m, ["id", "type", "enabled"])), id);
    this.changed();
    return this.getService(id);
  }
  deleteService(id: string): void {
    this.getService(id);
    this.db.prepare("DELETE FROM service WHERE id = ?").run(id);
    this.changed();
  }

  // ---- endpoints
  private toEndpoint(r: EndpointRow): Endpoint {
    return {
      ...parseExtra(r.extra),
      id: r.id,
      interface: r.interface,
      service_id: r.service_id,
      url: r.url,
      region_id: r.region_id,
      region: r.region_id,
      enabled: r.enabled === 1,
    };
  }
  createEndpoint(e: {
    id?: string;
    interface: string;
    service_id: string;
    url: string;
    region_id?: string | null;
    enabled?: boolean;
    [k: string]: unknown;
  }): Endpoint {
    this.getService(e.service_id);
    if (e.region_id && !this.findRegion(e.region_id)) throw notFound("region", e.region_id);
    const id = e.id ?? newId();
    this.db
      .prepare("INSERT INTO endpoint (id, interface, service_id, url, region_id, enabled, extra) VALUES (?, ?, ?, ?, ?, ?, ?)")
      .run(
        id,
        e.interface,
        e.service_id,
        e.url,
        e.region_id ?? null,
        e.enabled === false ? 0 : 1,
        JSON.stringify(extraOf(e, ENDPOINT_COLUMNS)),
      );
    this.changed();
    return this.getEndpoint(id);
  }
  findEndpoint(id: string): Endpoint | undefined {
    const r = this.db.prepare<[string], EndpointRow>("SELECT * FROM endpoint WHERE id = ?").get(id);
    return r && this.toEndpoint(r);
  }
  getEndpoint(id: string): Endpoint {
    const e = this.findEndpoint(id);
    if (!e) throw notFound("endpoint", id);
    return e;
  }
  listEndpoints(f: { service_id?: string; interface?: string; region_id?: string } = {}): Endpoint[] {
    return this.db
      .prepare<[], EndpointRow>("SELECT * FROM endpoint ORDER BY rowid")
      .all()
      .map((r) => this.toEndpoint(r))
      .filter(
        (e) =>
          (f.service_id === undefined || e.service_id === f.service_id) &&
          (f.interface === undefined || e.interface === f.interface) &&
          (f.region_id === undefined || e.region_id === f.region_id),
      );
  }
  updateEndpoint(id: string, patch: Record<string, unknown>): Endpoint {
    const m = { ...this.getEndpoint(id), ...patch };
    if (patch.service_id) this.getService(String(patch.service_id));
    if (patch.region_id && !this.findRegion(String(patch.region_id))) throw notFound("region", String(patch.region_id));
    this.db
      .prepare("UPDATE endpoint SET interface = ?, service_id = ?, url = ?, region_id = ?, enabled = ?, extra = ? WHERE id = ?")
      .run(
        String(m.interface),
        String(m.service_id),
        String(m.url),
        (m.region_id as string | null) ?? null,
        m.enabled === false ? 0 : 1,
        JSON.stringify(extraOf(m, ENDPOINT_COLUMNS)),
        id,
      );
    this.changed();
    return this.getEndpoint(id);
  }
  deleteEndpoint(id: string): void {
    this.getEndpoint(id);
    this.db.prepare("DELETE FROM endpoint WHERE id = ?").run(id);
    this.changed();
  }

  /** The catalog in a token: enabled services with their enabled endpoints. */
  catalog(): CatalogEntry[] {
    const v = this.version();
    if (v !== this.cacheVersion) {
      this.cacheVersion = v;
      this.catalogCache = undefined;
    }
    if (!this.catalogCache) {
      const endpoints = this.listEndpoints().filter((e) => e.enabled);
      this.catalogCache = this.listServices()
        .filter((s) => s.enabled)
        .map((s) => ({
          endpoints: endpoints
            .filter((e) => e.service_id === s.id)
            .map((e) => ({ id: e.id, interface: e.interface, region_id: e.region_id, url: e.url, region: e.region_id })),
          id: s.id,
          type: s.type,
          name: s.name ?? "",
        }));
    }
    return this.catalogCache;
  }
}

const ENDPOINT_COLUMNS = ["id", "interface", "service_id", "url", "region_id", "region", "enabled", "legacy_endpoint_id"];
