import { HttpError } from "../../common/http/errors.js";
import { type Router, jsonBody } from "../../common/http/router.js";
import { type HttpRequest, empty, json } from "../../common/http/types.js";
import type { Db } from "../../common/db/database.js";
import type { CellMapping } from "../cells/mappings.js";
import {
  type ComputeNode,
  type ServiceRecord,
  computeNodes,
  deleteService,
  listServices,
  serviceById,
  serviceByUuid,
  serviceIsUp,
  updateService,
} from "../objects/services.js";
import { hostAvailabilityZone } from "../objects/server-groups.js";
import { atLeast } from "./microversion.js";
import type { NovaApi } from "./nova-api.js";
import { serviceUpdate } from "./schemas.js";
import { validate } from "./validation.js";

/** os-services, os-hypervisors and os-availability-zone: the admin's view of the hosts in every cell. */
export function addAdminRoutes(r: Router, api: NovaApi): void {
  const downTime = () => api.config.int("DEFAULT", "service_down_time");
  const zoneOf = (s: ServiceRecord) =>
    s.binary === "nova-compute"
      ? hostAvailabilityZone(api.apiDb, s.host, api.config.str("DEFAULT", "default_availability_zone"))
      : "internal";
  const all = (): Array<{ s: ServiceRecord; db: Db; cell: CellMapping }> =>
    api.cells.list().flatMap((cell) => {
      const db = api.cells.db(cell);
      return listServices(db).map((s) => ({ s, db, cell }));
    });
  const serviceView = (req: HttpRequest, s: ServiceRecord) => ({
    id: atLeast(req, 53) ? s.uuid : s.id,
    binary: s.binary,
    disabled_reason: s.disabled_reason,
    host: s.host,
    state: serviceIsUp(s, downTime()) ? "up" : "down",
    status: s.disabled ? "disabled" : "enabled",
    updated_at: s.updated_at ? s.updated_at.slice(0, 26) : null,
    zone: zoneOf(s),
    ...(atLeast(req, 11) ? { forced_down: s.forced_down } : {}),
  });

  r.get("/os-services", (req) => {
    api.policy.authorize(api.ctx(req), "os_compute_api:os-services:list");
    const host = req.query.get("host");
    const binary = req.query.get("binary");
    const rows = all()
      .map((x) => x.s)
      .filter((s) => (!host || s.host === host) && (!binary || s.binary === binary));
    return json(200, { services: rows.map((s) => serviceView(req, s)) });
  });

  const findService = (id: string) => {
    for (const x of all()) if ((x.s.uuid === id || String(x.s.id) === id) && x.cell) return x;
    return undefined;
  };

  r.put("/os-services/{service_id}", async (req) => {
    const ctx = api.ctx(req);
    api.policy.authorize(ctx, "os_compute_api:os-services:update");
    const body = await jsonBody(req);
    if (!atLeast(req, 53)) {
      // Before 2.53: PUT /os-services/enable|disable|disable-log-reason|force-down with host + binary.
      const action = req.params.service_id;
      const x = all().find((y) => y.s.host === body.host && y.s.binary === body.binary);
      if (!x) throw new HttpError(404, `Service ${body.binary} on host ${body.host} could not be found.`);
      const updates: Record<string, unknown> =
        action === "enable"
          ? { disabled: false, disabled_reason: null }
          : action === "disable"
            ? { disabled: true }
            : action === "disable-log-reason"
              ? { disabled: true, disabled_reason: body.disabled_reason }
              : action === "force-down" && atLeast(req, 11)
                ? { forced_down: !!body.forced_down }
                : (() => {
                    throw new HttpError(404, `Unknown action`);
                  })();
      updateService(x.db, x.s.id, updates);
      const out: Record<string, unknown> = { host: x.s.host, binary: x.s.binary };
      if ("disabled" in updates) out.status = updates.disabled ? "disabled" : "enabled";
      if ("disabled_reason" in updates && updates.disabled_reason) out.disabled_reason = updates.disabled_reason;
      if ("forced_down" in updates) out.forced_down = updates.forced_down;
      return json(200, { service: out });
    }
    validate(serviceUpdate, body);
    const x = findService(req.params.service_id ?? "");
    if (!x) throw new HttpError(404, `Service ${req.params.service_id} could not be found.`);
    if (Object.keys(body).length === 0)
      throw new HttpError(400, "No updates were requested. Fields 'status' or 'forced_down' should be specified.");
    if (body.disabled_reason && body.status !== "disabled")
      throw new HttpError(400, "Specifying 'disabled_reason' with status 'enabled' is invalid.");
    if (x.s.binary !== "nova-compute")
      throw new HttpError(400, `Updating a ${x.s.binary} service is not supported. Only nova-compute services can be updated.`);
    const updates: Record<string, unknown> = {};
    if (body.status) {
      updates.disabled = body.status === "disabled";
      updates.disabled_reason = body.status === "disabled" ? (body.disabled_reason ?? null) : null;
    }
    if ("forced_down" in body) updates.forced_down = body.forced_down;
    const s = updateService(x.db, x.s.id, updates);
    return json(200, { service: serviceView(req, s as ServiceRecord) });
  });

  r.delete("/os-services/{service_id}", (req) => {
    api.policy.authorize(api.ctx(req), "os_compute_api:os-services:delete");
    const x = findService(req.params.service_id ?? "");
    if (!x) throw new HttpError(404, `Service ${req.params.service_id} could not be found.`);
    if (x.s.binary === "nova-compute") {
      const busy = x.db.prepare("SELECT COUNT(*) AS n FROM instances WHERE host = ? AND deleted = 0").get(x.s.host) as { n: number };
      if (busy.n > 0)
        throw new HttpError(409, `Unable to delete compute service that is hosting instances. Migrate or delete the instances first.`);
      x.db.prepare("UPDATE compute_nodes SET deleted = id WHERE host = ?").run(x.s.host);
      api.apiDb.prepare("DELETE FROM host_mappings WHERE host = ?").run(x.s.host);
    }
    deleteService(x.db, x.s.id);
    return empty(204);
  });

  // --- os-hypervisors
  const nodes = () =>
    api.cells.realCells().flatMap((cell) => {
      const db = api.cells.db(cell);
      return computeNodes(db).map((n) => ({ n, db, svc: n.service_id ? serviceById(db, n.service_id) : null }));
    });
  const hvView = (req: HttpRequest, x: { n: ComputeNode; db: Db; svc: ServiceRecord | null }, detail: boolean) => {
    const { n, svc } = x;
    const v: Record<string, unknown> = {
      id: atLeast(req, 53) ? n.uuid : n.id,
      hypervisor_hostname: n.hypervisor_hostname,
      state: svc && serviceIsUp(svc, downTime()) ? "up" : "down",
      status: svc?.disabled ? "disabled" : "enabled",
    };
    if (!detail) return v;
    Object.assign(v, {
      host_ip: n.host_ip ?? api.config.str("DEFAULT", "my_ip"),
      hypervisor_type: n.hypervisor_type ?? "fake",
      hypervisor_version: n.hypervisor_version ?? 1000,
      service: { host: n.host, id: atLeast(req, 53) ? svc?.uuid : svc?.id, disabled_reason: svc?.disabled_reason ?? null },
    });
    if (atLeast(req, 88)) return v;
    let cpuInfo: unknown = n.cpu_info ?? "{}";
    if (atLeast(req, 28)) {
      try {
        cpuInfo = JSON.parse(String(n.cpu_info ?? "{}"));
      } catch {
        cpuInfo = {};
      }
    }
    Object.assign(v, {
      vcpus: n.vcpus,
      memory_mb: n.memory_mb,
      local_gb: n.local_gb,
      vcpus_used: n.vcpus_used,
      memory_mb_used: n.memory_mb_used,
      local_gb_used: n.local_gb_used,
      free_ram_mb: n.memory_mb - n.memory_mb_used,
      free_disk_gb: n.local_gb - n.local_gb_used,
      current_workload: 0,
      running_vms: (
        x.db
          .prepare("SELECT COUNT(*) AS c FROM instances WHERE host = ? AND node = ? AND deleted = 0")
          .get(n.host, n.hypervisor_hostname) as { c: number }
      ).c,
      disk_available_least: n.local_gb - n.local_gb_used,
      cpu_info: cpuInfo,
    });
    return v;
  };
  const hvList = (detail: boolean) => (req: HttpRequest) => {
    api.policy.authorize(api.ctx(req), detail ? "os_compute_api:os-hypervisors:list-detail" : "os_compute_api:os-hypervisors:list");
    const match = req.query.get("hypervisor_hostname_pattern");
    const list = nodes().filter((x) => !match || x.n.hypervisor_hostname.includes(match));
    if (match && list.length === 0) throw new HttpError(404, `Hypervisor with hostname pattern ${match} could not be found.`);
    return json(200, { hypervisors: list.map((x) => hvView(req, x, detail)) });
  };
  r.get("/os-hypervisors", hvList(false));
  r.get("/os-hypervisors/detail", hvList(true));
  r.get("/os-hypervisors/statistics", (req) => {
    api.policy.authorize(api.ctx(req), "os_compute_api:os-hypervisors:statistics");
    if (atLeast(req, 88)) throw new HttpError(404, "The resource could not be found.");
    const s = {
      count: 0,
      vcpus: 0,
      memory_mb: 0,
      local_gb: 0,
      vcpus_used: 0,
      memory_mb_used: 0,
      local_gb_used: 0,
      free_ram_mb: 0,
      free_disk_gb: 0,
      current_workload: 0,
      running_vms: 0,
      disk_available_least: 0,
    };
    for (const x of nodes()) {
      const v = hvView(req, x, true) as Record<string, number>;
      s.count += 1;
      for (const k of Object.keys(s) as Array<keyof typeof s>) if (k !== "count") s[k] += Number(v[k] ?? 0);
    }
    return json(200, { hypervisor_statistics: s });
  });
  r.get("/os-hypervisors/{hypervisor_id}", (req) => {
    api.policy.authorize(api.ctx(req), "os_compute_api:os-hypervisors:show");
    const id = req.params.hypervisor_id ?? "";
    const x = nodes().find((y) => y.n.uuid === id || String(y.n.id) === id);
    if (!x) throw new HttpError(404, `Hypervisor ${id} could not be found.`);
    return json(200, { hypervisor: hvView(req, x, true) });
  });

  // --- os-availability-zone
  const zones = () => {
    const byZone = new Map<string, { up: boolean; hosts: Record<string, Record<string, unknown>> }>();
    for (const { s } of all()) {
      const zone = zoneOf(s);
      const up = serviceIsUp(s, downTime());
      const z = byZone.get(zone) ?? { up: false, hosts: {} };
      if (!s.disabled && up) z.up = true;
      z.hosts[s.host] = {
        ...(z.hosts[s.host] ?? {}),
        [s.binary]: { available: up, active: !s.disabled, updated_at: s.updated_at ? s.updated_at.slice(0, 26) : null },
      };
      byZone.set(zone, z);
    }
    return byZone;
  };
  r.get("/os-availability-zone", (req) => {
    api.policy.authorize(api.ctx(req), "os_compute_api:os-availability-zone:list");
    const out = [...zones()]
      .filter(([name]) => name !== "internal")
      .map(([name, z]) => ({ zoneName: name, zoneState: { available: z.up }, hosts: null }));
    return json(200, { availabilityZoneInfo: out });
  });
  r.get("/os-availability-zone/detail", (req) => {
    api.policy.authorize(api.ctx(req), "os_compute_api:os-availability-zone:detail");
    const out = [...zones()].map(([name, z]) => ({ zoneName: name, zoneState: { available: z.up }, hosts: z.hosts }));
    return json(200, { availabilityZoneInfo: out });
  });
}
