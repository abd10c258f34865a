import { createHash } from "node:crypto";
import type { HttpRequest } from "../../common/http/types.js";
import { type Fault, type Instance, latestFault } from "../objects/instance.js";
import { type ServiceRecord, serviceByHostAndBinary, serviceIsUp } from "../objects/services.js";
import { atLeast } from "./microversion.js";
import type { FoundServer, NovaApi } from "./nova-api.js";

/** nova.api.openstack.common's state map: (vm_state, task_state) → the API's status. */
export function statusOf(vm: string | null, task: string | null): string {
  const t = task ?? "";
  switch (vm) {
    case "active":
      if (["rebooting", "reboot_pending", "reboot_started"].includes(t)) return "REBOOT";
      if (["rebooting_hard", "reboot_pending_hard", "reboot_started_hard"].includes(t)) return "HARD_REBOOT";
      if (["rebuilding", "rebuild_block_device_mapping", "rebuild_spawning"].includes(t)) return "REBUILD";
      if (["resize_prep", "resize_migrating", "resize_migrated", "resize_finish"].includes(t)) return "RESIZE";
      if (t === "migrating") return "MIGRATING";
      if (t === "updating_password") return "PASSWORD";
      return "ACTIVE";
    case "building":
      return "BUILD";
    case "stopped":
      if (["resize_prep", "resize_migrating", "resize_migrated", "resize_finish"].includes(t)) return "RESIZE";
      if (["rebuilding", "rebuild_block_device_mapping", "rebuild_spawning"].includes(t)) return "REBUILD";
      return "SHUTOFF";
    case "resized":
      return t === "resize_reverting" ? "REVERT_RESIZE" : "VERIFY_RESIZE";
    case "paused":
      return "PAUSED";
    case "suspended":
      return "SUSPENDED";
    case "rescued":
      return "RESCUE";
    case "error":
      return ["rebuilding", "rebuild_block_device_mapping", "rebuild_spawning"].includes(t) ? "REBUILD" : "ERROR";
    case "deleted":
      return "DELETED";
    case "soft-delete":
      return "SOFT_DELETED";
    case "shelved":
      return "SHELVED";
    case "shelved_offloaded":
      return "SHELVED_OFFLOADED";
    default:
      return "UNKNOWN";
  }
}

/** Nova's time format in server bodies: 2019-04-23T15:19:10Z. */
export const isoZ = (t: string | null | undefined): string | null => (t ? `${t.slice(0, 19)}Z` : null);
/** launched_at/terminated_at as Nova prints them: 2019-04-23T15:19:10.000000 (its DB keeps whole seconds). */
export const isoMicro = (t: string | null | undefined): string | null => (t ? `${t.slice(0, 19)}.000000` : null);

const hostIds = new Map<string, string>();

/** hostId: a per-project opaque id of the host (sha224 of project id + host), '' before a host is known. */
export function hostId(projectId: string, host: string | null): string {
  if (!host) return "";
  // A list of 1,000 servers on a few hosts asks for the same few hashes over and over.
  const key = `${projectId}\n${host}`;
  let id = hostIds.get(key);
  if (id === undefined) {
    id = createHash("sha224")
      .update(projectId + host)
      .digest("hex");
    if (hostIds.size >= 10_000) hostIds.clear();
    hostIds.set(key, id);
  }
  return id;
}

function links(api: NovaApi, req: HttpRequest, kind: string, id: string) {
  const base = api.baseUrl(req);
  return [
    { rel: "self", href: `${base}/v2.1/${kind}/${id}` },
    { rel: "bookmark", href: `${base}/${kind}/${id}` },
  ];
}

export function serverLinks(api: NovaApi, req: HttpRequest, id: string) {
  return links(api, req, "servers", id);
}

function faultView(f: Fault, admin: boolean) {
  const view: Record<string, unknown> = { code: f.code, created: isoZ(f.created), message: f.message };
  if (admin || f.code !== 500) view.details = f.details;
  return view;
}

function flavorView(api: NovaApi, req: HttpRequest, inst: Instance, showExtraSpecs: boolean) {
  const f = inst.flavor;
  if (!atLeast(req, 47)) return { id: f.flavorid, links: [{ rel: "bookmark", href: `${api.baseUrl(req)}/flavors/${f.flavorid}` }] };
  const view: Record<string, unknown> = {
    vcpus: f.vcpus,
    ram: f.memory_mb,
    disk: f.root_gb,
    ephemeral: f.ephemeral_gb,
    swap: f.swap,
    original_name: f.name,
  };
  if (showExtraSpecs) view.extra_specs = f.extra_specs ?? {};
  return view;
}

/** The server in the index list: id, name, links. */
export function basicView(api: NovaApi, req: HttpRequest, inst: { uuid: string; display_name: string | null }) {
  return { id: inst.uuid, links: serverLinks(api, req, inst.uuid), name: inst.display_name ?? "" };
}

/** The full server (GET /servers/{id}, /servers/detail), fields as the request's microversion shows them. */
export function detailView(
  api: NovaApi,
  req: HttpRequest,
  s: FoundServer,
  opts: {
    admin: boolean;
    showExtraSpecs: boolean;
    groups?: string[];
    hostStatusMemo?: Map<string, string>;
    /** Leave host_status out (the list's cache of rendered servers appends it fresh: it changes with time). */
    skipHostStatus?: boolean;
    /** The latest fault if the caller already fetched it (null: none); undefined looks it up. */
    fault?: Fault | null;
  },
) {
  const inst = s.instance;
  const status = statusOf(inst.vm_state, inst.task_state);
  const view: Record<string, unknown> = {
    id: inst.uuid,
    name: inst.display_name ?? "",
    status,
    tenant_id: inst.project_id,
    user_id: inst.user_id,
    metadata: inst.metadata ?? {},
    hostId: hostId(inst.project_id, inst.host),
    image: inst.image_ref ? { id: inst.image_ref, links: [{ rel: "bookmark", href: `${api.baseUrl(req)}/images/${inst.image_ref}` }] } : "",
    flavor: flavorView(api, req, inst, opts.showExtraSpecs),
    created: isoZ(inst.created_at),
    updated: isoZ(inst.updated_at ?? inst.created_at),
    addresses: {},
    accessIPv4: inst.access_ip_v4 ?? "",
    accessIPv6: inst.access_ip_v6 ?? "",
    links: serverLinks(api, req, inst.uuid),
    "OS-DCF:diskConfig": "MANUAL",
  };
  if (["BUILD", "REBUILD", "RESIZE", "VERIFY_RESIZE", "MIGRATING"].includes(status)) view.progress = inst.progress ?? 0;
  Object.assign(view, {
    "OS-EXT-AZ:availability_zone": inst.availability_zone ?? "",
    config_drive: inst.config_drive ?? "",
    key_name: inst.key_name,
    "OS-SRV-USG:launched_at": isoMicro(inst.launched_at),
    "OS-SRV-USG:terminated_at": isoMicro(inst.terminated_at),
    "OS-EXT-STS:task_state": inst.task_state,
    "OS-EXT-STS:vm_state": inst.vm_state,
    "OS-EXT-STS:power_state": inst.power_state,
    "os-extended-volumes:volumes_attached": [],
    security_groups: [{ name: "default" }],
  });
  if (opts.admin) {
    view["OS-EXT-SRV-ATTR:host"] = inst.host;
    view["OS-EXT-SRV-ATTR:hypervisor_hostname"] = inst.node;
    view["OS-EXT-SRV-ATTR:instance_name"] = inst.name;
    if (atLeast(req, 3)) {
      Object.assign(view, {
        "OS-EXT-SRV-ATTR:reservation_id": inst.reservation_id,
        "OS-EXT-SRV-ATTR:launch_index": inst.launch_index ?? 0,
        "OS-EXT-SRV-ATTR:hostname": inst.hostname,
        "OS-EXT-SRV-ATTR:kernel_id": "",
        "OS-EXT-SRV-ATTR:ramdisk_id": "",
        "OS-EXT-SRV-ATTR:root_device_name": "/dev/vda",
        "OS-EXT-SRV-ATTR:user_data": inst.user_data,
      });
    }
  }
  if (atLeast(req, 9)) view.locked = inst.locked;
  if (atLeast(req, 73)) view.locked_reason = inst.locked ? (inst.system_metadata?.locked_reason ?? null) : null;
  if (atLeast(req, 19)) view.description = inst.display_description;
  if (atLeast(req, 26)) view.tags = s.tags;
  if (atLeast(req, 63)) view.trusted_image_certificates = null;
  if (atLeast(req, 16) && opts.admin && !opts.skipHostStatus) {
    // A list asks once per host, not once per server.
    const key = `${s.cell?.uuid ?? ""}/${s.instance.host ?? ""}`;
    let hs = opts.hostStatusMemo?.get(key);
    if (hs === undefined) {
      hs = hostStatus(api, s);
      opts.hostStatusMemo?.set(key, hs);
    }
    view.host_status = hs;
  }
  if (opts.groups) view.server_groups = opts.groups;
  if ((status === "ERROR" || status === "DELETED") && s.db) {
    const f = opts.fault === undefined ? latestFault(s.db, inst.uuid) : opts.fault;
    if (f) view.fault = faultView(f, opts.admin);
  }
  return view;
}

/** host_status: UP, DOWN, MAINTENANCE (service disabled) or UNKNOWN, as Nova reports to admins. */
function hostStatus(api: NovaApi, s: FoundServer): string {
  if (!s.instance.host || !s.db) return "";
  return hostStatusOf(api, serviceByHostAndBinary(s.db, s.instance.host, "nova-compute"));
}

/** host_status of a host from its nova-compute service record (null: no such service). */
export function hostStatusOf(api: NovaApi, svc: ServiceRecord | null): string {
  if (!svc) return "UNKNOWN";
  if (!serviceIsUp(svc, api.config.int("DEFAULT", "service_down_time"))) return svc.forced_down ? "DOWN" : "UNKNOWN";
  return svc.disabled ? "MAINTENANCE" : "UP";
}
