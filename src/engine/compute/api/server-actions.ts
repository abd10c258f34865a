import { HttpError } from "../../common/http/errors.js";
import { type Router, jsonBody } from "../../common/http/router.js";
import { type HttpResponse, empty, json } from "../../common/http/types.js";
import { withSpan } from "../../common/trace/tracer.js";
import { utcNow } from "../db/open.js";
import { ACTION, actionFinish, actionStartFor } from "../objects/actions.js";
import { flavorInfo } from "../objects/flavors.js";
import { saveInstance } from "../objects/instance.js";
import type { ComputeAPI } from "./compute-api.js";
import { createConsoleUrl } from "./console-tokens.js";
import { atLeast } from "./microversion.js";
import type { FoundServer, NovaApi } from "./nova-api.js";
import * as schemas from "./schemas.js";
import { validate } from "./validation.js";
import { detailView } from "./views.js";

type Ctx = ReturnType<NovaApi["ctx"]>;
type ActionHandler = (
  ctx: Ctx,
  s: FoundServer,
  body: Record<string, any>,
  req: Parameters<Parameters<Router["post"]>[1]>[0],
) => Promise<HttpResponse>;

const accepted = () => empty(202);

/** POST /servers/{id}/action: one handler per action key, with Nova's policy, state and lock checks. */
export function addServerActionRoutes(r: Router, api: NovaApi, compute: ComputeAPI): void {
  const authorize = (ctx: Ctx, s: FoundServer, rule: string) =>
    api.policy.authorize(ctx, rule, { project_id: s.instance.project_id, user_id: s.instance.user_id });

  const simple =
    (rule: string, action: string, method: string, vm: string[], task: string, extra: Record<string, unknown> = {}): ActionHandler =>
    async (ctx, s) => {
      authorize(ctx, s, rule);
      compute.checkLock(ctx, s);
      compute.checkState(s, action, vm);
      await compute.castToHost(ctx, s, action, method, { task_state: task }, extra);
      return accepted();
    };

  const actions: Record<string, ActionHandler> = {
    "os-stop": simple("os_compute_api:servers:stop", "stop", "stop_instance", ["active", "error"], "powering-off", {
      clean_shutdown: true,
    }),
    "os-start": simple("os_compute_api:servers:start", "start", "start_instance", ["stopped"], "powering-on"),
    pause: simple("os_compute_api:os-pause-server:pause", "pause", "pause_instance", ["active"], "pausing"),
    unpause: simple("os_compute_api:os-pause-server:unpause", "unpause", "unpause_instance", ["paused"], "unpausing"),
    suspend: simple("os_compute_api:os-suspend-server:suspend", "suspend", "suspend_instance", ["active"], "suspending"),
    resume: simple("os_compute_api:os-suspend-server:resume", "resume", "resume_instance", ["suspended"], "resuming"),
    reboot: async (ctx, s, body) => {
      validate(schemas.reboot, body);
      authorize(ctx, s, "os_compute_api:servers:reboot");
      compute.checkLock(ctx, s);
      const type = String(body.reboot.type).toUpperCase();
      if (type === "SOFT") compute.checkState(s, "reboot", ["active"]);
      else
        compute.checkState(
          s,
          "reboot",
          ["active", "stopped", "paused", "suspended", "error"],
          [null, "rebooting", "reboot_pending", "reboot_started", "rebooting_hard"],
        );
      compute.inCell(s, "reboot");
      const inst = saveInstance(s.db, s.instance.uuid, { task_state: type === "SOFT" ? "rebooting" : "rebooting_hard" }, {});
      actionStartFor(s.db, ctx, inst.uuid, "reboot");
      await api.buses
        .forCell(s.cell)
        .cast(ctx, `compute.${inst.host}`, "reboot_instance", { instance: inst, reboot_type: type }, { version: "6.0" });
      return accepted();
    },
    lock: async (ctx, s, body, req) => {
      if (atLeast(req, 73)) validate(schemas.lock, body);
      authorize(ctx, s, "os_compute_api:os-lock-server:lock");
      if (!s.db) throw new HttpError(409, `Instance ${s.instance.uuid} is not ready yet.`);
      const reason = body.lock?.locked_reason;
      const sys = { ...s.instance.system_metadata };
      if (reason) sys.locked_reason = reason;
      else delete sys.locked_reason;
      saveInstance(s.db, s.instance.uuid, {
        locked: true,
        locked_by: ctx.project_id === s.instance.project_id ? "owner" : "admin",
        system_metadata: sys,
      });
      actionStartFor(s.db, ctx, s.instance.uuid, "lock");
      return accepted();
    },
    unlock: async (ctx, s) => {
      authorize(ctx, s, "os_compute_api:os-lock-server:unlock");
      if (!s.db) throw new HttpError(409, `Instance ${s.instance.uuid} is not ready yet.`);
      if (s.instance.locked_by === "admin" && ctx.project_id === s.instance.project_id)
        authorize(ctx, s, "os_compute_api:os-lock-server:unlock:unlock_override");
      const sys = { ...s.instance.system_metadata };
      delete sys.locked_reason;
      saveInstance(s.db, s.instance.uuid, { locked: false, locked_by: null, system_metadata: sys });
      actionStartFor(s.db, ctx, s.instance.uuid, "unlock");
      return accepted();
    },
    "os-getConsoleOutput": async (ctx, s, body) => {
      validate(schemas.consoleOutput, body);
      authorize(ctx, s, "os_compute_api:os-console-output");
      if (!s.instance.host || s.instance.vm_state === "building") throw new HttpError(409, `Instance ${s.instance.uuid} is not ready`);
      const raw = body["os-getConsoleOutput"]?.length;
      const tail = raw === undefined || raw === null ? undefined : Number(raw);
      const output = await compute.callHost<string>(ctx, s, "get_console_output", { tail_length: tail === -1 ? undefined : tail });
      return json(200, { output });
    },
    // The pre-2.6 console action (superseded by POST /servers/{id}/remote-consoles).
    "os-getVNCConsole": async (ctx, s, body, req) => {
      if (atLeast(req, 6)) throw new HttpError(404, "The resource could not be found.");
      validate(schemas.getVncConsole, body);
      authorize(ctx, s, "os_compute_api:os-remote-consoles");
      const type = String(body["os-getVNCConsole"].type);
      if (type !== "novnc" && type !== "xvpvnc") throw new HttpError(400, `Invalid console type ${type}`);
      const url = await createConsoleUrl(api, compute, ctx, s, "vnc", type);
      return json(200, { console: { type, url } });
    },
    createImage: async (ctx, s, body, req) => {
      validate(schemas.createImage, body);
      authorize(ctx, s, "os_compute_api:servers:create_image");
      compute.checkLock(ctx, s);
      compute.checkState(s, "createImage", ["active", "stopped", "paused", "suspended"]);
      const meta = body.createImage.metadata ?? {};
      const sys = s.instance.system_metadata ?? {};
      const props: Record<string, string> = {};
      for (const [k, v] of Object.entries(sys))
        if (k.startsWith("image_") && !["image_base_image_ref", "image_min_ram", "image_min_disk"].includes(k)) props[k.slice(6)] = v;
      const res = await api.clients.request<Record<string, any>>("image", "POST", "/v2/images", {
        ctx,
        body: {
          name: body.createImage.name,
          disk_format: "qcow2",
          container_format: "bare",
          min_disk: s.instance.flavor.root_gb,
          min_ram: Number(sys.image_min_ram ?? 0),
          ...props,
          ...meta,
          image_type: "snapshot",
          instance_uuid: s.instance.uuid,
          base_image_ref: s.instance.image_ref ?? "",
          owner_project_name: ctx.project_name ?? undefined,
          user_id: ctx.user_id,
        },
      });
      if (res.status !== 201)
        throw new HttpError(res.status === 403 ? 403 : 400, `The image service refused the snapshot: ${JSON.stringify(res.body)}`);
      const imageId = String(res.body.id);
      await compute.castToHost(ctx, s, "createImage", "snapshot_instance", { task_state: "image_snapshot_pending" }, { image_id: imageId });
      if (atLeast(req, 45)) return json(202, { image_id: imageId });
      return empty(202, { location: `${api.baseUrl(req)}/images/${imageId}` });
    },
    rebuild: async (ctx, s, body, req) => {
      validate(schemas.rebuild, body);
      authorize(ctx, s, "os_compute_api:servers:rebuild");
      compute.checkLock(ctx, s);
      compute.checkState(s, "rebuild", ["active", "stopped", "error"]);
      const rb = body.rebuild;
      const image = await compute.image(ctx, rb.imageRef);
      if (image.status !== "active") throw new HttpError(400, `Image ${image.id} is not active.`);
      compute.inCell(s, "rebuild");
      const updates: Record<string, unknown> = { task_state: "rebuilding", image_ref: image.id };
      if (rb.name !== undefined) updates.display_name = rb.name;
      if (rb.metadata !== undefined) updates.metadata = rb.metadata;
      if ("description" in rb) updates.display_description = rb.description;
      const inst = await compute.castToHost(ctx, s, "rebuild", "rebuild_instance", updates, {
        image_ref: image.id,
        image,
        orig_image_ref: s.instance.image_ref,
        preserve_ephemeral: !!rb.preserve_ephemeral,
      });
      const view = detailView(api, req, { ...s, instance: inst }, { admin: api.isAdmin(ctx), showExtraSpecs: false });
      view.adminPass = rb.adminPass ?? Math.random().toString(36).slice(2, 14);
      return json(202, { server: view });
    },
    resize: async (ctx, s, body) => {
      validate(schemas.resize, body);
      authorize(ctx, s, "os_compute_api:servers:resize");
      compute.checkLock(ctx, s);
      compute.checkState(s, "resize", ["active", "stopped"]);
      const flavor = compute.flavor(ctx, String(body.resize.flavorRef));
      if (flavor.flavorid === s.instance.flavor.flavorid) throw new HttpError(400, "When resizing, instances must change flavor!");
      if (flavor.root_gb === 0 && s.instance.flavor.root_gb > 0) throw new HttpError(400, "Resize to zero disk flavor is not allowed.");
      compute.inCell(s, "resize");
      const migration = randomUuid();
      s.db
        .prepare(
          "INSERT INTO migrations (uuid, instance_uuid, source_compute, dest_compute, source_node, dest_node, old_flavor, new_flavor, migration_type, status, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'resize', 'pre-migrating', ?)",
        )
        .run(
          migration,
          s.instance.uuid,
          s.instance.host,
          s.instance.host,
          s.instance.node,
          s.instance.node,
          JSON.stringify(s.instance.flavor),
          JSON.stringify(flavorInfo(flavor)),
          utcNow(),
        );
      await compute.castToHost(
        ctx,
        s,
        "resize",
        "resize_instance",
        { task_state: "resize_prep" },
        { flavor: flavorInfo(flavor), migration: { uuid: migration, old_flavor: s.instance.flavor } },
      );
      return accepted();
    },
    confirmResize: async (ctx, s) => {
      authorize(ctx, s, "os_compute_api:servers:confirm_resize");
      compute.checkLock(ctx, s);
      compute.checkState(s, "confirmResize", ["resized"]);
      compute.inCell(s, "confirmResize");
      const m = s.db.prepare("SELECT uuid FROM migrations WHERE instance_uuid = ? ORDER BY id DESC LIMIT 1").get(s.instance.uuid) as
        | { uuid: string }
        | undefined;
      if (!m) throw new HttpError(400, `Instance has not been resized.`);
      s.db.prepare("UPDATE migrations SET status = 'confirming', updated_at = ? WHERE uuid = ?").run(utcNow(), m.uuid);
      actionStartFor(s.db, ctx, s.instance.uuid, "confirmResize");
      await api.buses
        .forCell(s.cell)
        .cast(
          ctx,
          `compute.${s.instance.host}`,
          "confirm_resize",
          { instance: s.instance, migration: { uuid: m.uuid } },
          { version: "6.0" },
        );
      return empty(204);
    },
    revertResize: async (ctx, s) => {
      authorize(ctx, s, "os_compute_api:servers:revert_resize");
      compute.checkLock(ctx, s);
      compute.checkState(s, "revertResize", ["resized"]);
      compute.inCell(s, "revertResize");
      const m = s.db
        .prepare("SELECT uuid, old_flavor FROM migrations WHERE instance_uuid = ? ORDER BY id DESC LIMIT 1")
        .get(s.instance.uuid) as { uuid: string; old_flavor: string } | undefined;
      if (!m) throw new HttpError(400, `Instance has not been resized.`);
      s.db.prepare("UPDATE migrations SET status = 'reverting', updated_at = ? WHERE uuid = ?").run(utcNow(), m.uuid);
      await compute.castToHost(
        ctx,
        s,
        "revertResize",
        "revert_resize",
        { task_state: "resize_reverting" },
        { migration: { uuid: m.uuid, old_flavor: JSON.parse(m.old_flavor) } },
      );
      return accepted();
    },
    // admin_actions._reset_state: force vm_state (active or error) and clear task_state, no state or lock
    // check, nothing cast to the host; the instance action is started and finished here.
    "os-resetState": async (ctx, s, body) => {
      validate(schemas.resetState, body);
      authorize(ctx, s, "os_compute_api:os-admin-actions:reset_state");
      if (!s.db) throw new HttpError(409, `Instance ${s.instance.uuid} is not ready yet; try again once it is scheduled.`);
      const request_id = ctx.request_id ?? "";
      actionStartFor(s.db, ctx, s.instance.uuid, ACTION.RESET_STATE);
      saveInstance(s.db, s.instance.uuid, { vm_state: body["os-resetState"].state === "active" ? "active" : "error", task_state: null });
      actionFinish(s.db, { uuid: s.instance.uuid, request_id });
      return accepted();
    },
    // deferred_delete: pocketstack never soft-deletes ([DEFAULT] reclaim_instance_interval is 0), so
    // forceDelete is a delete (lock and task_state checked) and restore finds nothing to restore.
    forceDelete: async (ctx, s) => {
      authorize(ctx, s, "os_compute_api:os-deferred-delete:force");
      compute.checkLock(ctx, s);
      compute.checkState(s, "forceDelete", null);
      await withSpan("compute_api.force_delete", "internal", () => compute.delete(ctx, s));
      return accepted();
    },
    restore: async (ctx, s) => {
      authorize(ctx, s, "os_compute_api:os-deferred-delete:restore");
      compute.checkState(s, "restore", ["soft-delete"]);
      return accepted();
    },
    trigger_crash_dump: async (ctx, s, _body, req) => {
      if (!atLeast(req, 17)) throw new HttpError(400, "There is no such action: trigger_crash_dump");
      authorize(ctx, s, "os_compute_api:servers:trigger_crash_dump");
      compute.checkLock(ctx, s);
      compute.checkState(s, "trigger_crash_dump", ["active", "paused", "rescued", "resized", "error"]);
      throw new HttpError(400, "Triggering a crash dump (NMI) is not supported by pocketstack's compute drivers.");
    },
  };

  r.post("/servers/{server_id}/action", async (req) => {
    const ctx = api.ctx(req);
    const body = await jsonBody(req);
    const keys = Object.keys(body);
    const name = keys[0] ?? "";
    const handler = actions[name];
    if (keys.length !== 1 || !handler) throw new HttpError(400, `There is no such action: ${keys.join(", ") || "(none)"}`);
    const s = api.findServer(ctx, req.params.server_id ?? "");
    return withSpan(`ServersController._action_${name}`, "internal", () => handler(ctx, s, body, req));
  });
}

function randomUuid(): string {
  return globalThis.crypto.randomUUID();
}
