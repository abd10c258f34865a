import { createHash } from "node:crypto";
import { HttpError } from "../../common/http/errors.js";
import { type Router, jsonBody } from "../../common/http/router.js";
import { type HttpRequest, empty, json } from "../../common/http/types.js";
import { getAction, listActions } from "../objects/actions.js";
import { saveInstance } from "../objects/instance.js";
import { projectLimits } from "../objects/quotas.js";
import type { ComputeAPI } from "./compute-api.js";
import { createConsoleUrl } from "./console-tokens.js";
import { atLeast } from "./microversion.js";
import type { FoundServer, NovaApi } from "./nova-api.js";
import { metaItemBody, metadataBody, remoteConsole, tagsBody } from "./schemas.js";
import { validate } from "./validation.js";

/** A server's sub-resources: os-instance-actions, remote-consoles, metadata and tags. */
export function addServerResourceRoutes(r: Router, api: NovaApi, compute: ComputeAPI): void {
  const server = (req: HttpRequest) => {
    const ctx = api.ctx(req);
    return { ctx, s: api.findServer(ctx, req.params.server_id ?? "", { readDeleted: true }) };
  };
  const target = (s: FoundServer) => ({ project_id: s.instance.project_id, user_id: s.instance.user_id });
  const micro = (t: string | null) => (t ? t.slice(0, 26) : null);

  // --- os-instance-actions
  r.get("/servers/{server_id}/os-instance-actions", (req) => {
    const { ctx, s } = server(req);
    api.policy.authorize(ctx, "os_compute_api:os-instance-actions:list", target(s));
    const actions = s.db ? listActions(s.db, s.instance.uuid) : [];
    return json(200, {
      instanceActions: actions.map((a) => ({
        action: a.action,
        instance_uuid: a.instance_uuid,
        message: a.message,
        project_id: a.project_id,
        request_id: a.request_id,
        start_time: micro(a.start_time),
        user_id: a.user_id,
        ...(atLeast(req, 58) ? { updated_at: micro(a.updated_at) } : {}),
      })),
    });
  });
  r.get("/servers/{server_id}/os-instance-actions/{request_id}", (req) => {
    const { ctx, s } = server(req);
    api.policy.authorize(ctx, "os_compute_api:os-instance-actions:show", target(s));
    const found = s.db ? getAction(s.db, s.instance.uuid, req.params.request_id ?? "") : undefined;
    if (!found) throw new HttpError(404, `Action for request_id ${req.params.request_id} on instance ${s.instance.uuid} not found`);
    const a = found.action;
    const out: Record<string, unknown> = {
      action: a.action,
      instance_uuid: a.instance_uuid,
      message: a.message,
      project_id: a.project_id,
      request_id: a.request_id,
      start_time: micro(a.start_time),
      user_id: a.user_id,
    };
    if (atLeast(req, 58)) out.updated_at = micro(a.updated_at);
    const admin = api.policy.allows(ctx, "os_compute_api:os-instance-actions:events:details", target(s));
    if (atLeast(req, 51) || api.policy.allows(ctx, "os_compute_api:os-instance-actions:events", target(s))) {
      out.events = found.events.map((e) => {
        const ev: Record<string, unknown> = {
          event: e.event,
          start_time: micro(e.start_time),
          finish_time: micro(e.finish_time),
          result: e.result,
        };
        if (admin) ev.traceback = e.traceback;
        if (atLeast(req, 62)) {
          ev.hostId = e.host
            ? createHash("sha224")
                .update(s.instance.project_id + e.host)
                .digest("hex")
            : "";
          if (admin) ev.host = e.host ?? "";
        }
        if (atLeast(req, 84)) ev.details = e.details;
        return ev;
      });
    }
    return json(200, { instanceAction: out });
  });

  // --- remote consoles (novnc, serial), 2.6+; the compute hands out where the console is, the API mints the token.
  r.post("/servers/{server_id}/remote-consoles", async (req) => {
    const { ctx, s } = server(req);
    if (!atLeast(req, 6)) throw new HttpError(404, "The resource could not be found.");
    api.policy.authorize(ctx, "os_compute_api:os-remote-consoles", target(s));
    const body = await jsonBody(req);
    validate(remoteConsole, body);
    const { protocol, type } = body.remote_console as { protocol: string; type: string };
    const supported: Record<string, string> = { vnc: "novnc", serial: "serial" };
    if (supported[protocol] !== type) throw new HttpError(400, `Unsupported console type ${type} for protocol ${protocol}.`);
    const url = await createConsoleUrl(api, compute, ctx, s, protocol as "vnc" | "serial", type);
    return json(200, { remote_console: { protocol, type, url } });
  });

  // --- metadata
  const meta = (req: HttpRequest, rule: string) => {
    const { ctx, s } = server(req);
    api.policy.authorize(ctx, rule, target(s));
    if (rule.endsWith(":index") || rule.endsWith(":show")) return { ctx, s };
    compute.checkLock(ctx, s);
    if (!s.db) throw new HttpError(409, `Cannot update metadata of instance ${s.instance.uuid} while it is in vm_state building`);
    return { ctx, s };
  };
  const writeMeta = (ctx: ReturnType<NovaApi["ctx"]>, s: FoundServer, md: Record<string, string>) => {
    const limit = projectLimits(api.apiDb, api.config, s.instance.project_id).metadata_items;
    if (limit >= 0 && Object.keys(md).length > limit)
      throw new HttpError(
        403,
        `Quota exceeded for metadata_items: Requested ${Object.keys(md).length}, but already used 0 of ${limit} metadata_items`,
      );
    void ctx;
    return saveInstance(s.db as NonNullable<FoundServer["db"]>, s.instance.uuid, { metadata: md }).metadata;
  };
  r.get("/servers/{server_id}/metadata", (req) =>
    json(200, { metadata: meta(req, "os_compute_api:server-metadata:index").s.instance.metadata }),
  );
  r.get("/servers/{server_id}/metadata/{key}", (req) => {
    const { s } = meta(req, "os_compute_api:server-metadata:show");
    const v = s.instance.metadata[req.params.key ?? ""];
    if (v === undefined) throw new HttpError(404, "Metadata item was not found");
    return json(200, { meta: { [req.params.key ?? ""]: v } });
  });
  r.post("/servers/{server_id}/metadata", async (req) => {
    const body = await jsonBody(req);
    validate(metadataBody, body);
    const { ctx, s } = meta(req, "os_compute_api:server-metadata:create");
    return json(200, { metadata: writeMeta(ctx, s, { ...s.instance.metadata, ...(body.metadata as Record<string, string>) }) });
  });
  r.put("/servers/{server_id}/metadata", async (req) => {
    const body = await jsonBody(req);
    validate(metadataBody, body);
    const { ctx, s } = meta(req, "os_compute_api:server-metadata:update_all");
    return json(200, { metadata: writeMeta(ctx, s, body.metadata as Record<string, string>) });
  });
  r.put("/servers/{server_id}/metadata/{key}", async (req) => {
    const body = await jsonBody(req);
    validate(metaItemBody, body);
    const key = req.params.key ?? "";
    const item = body.meta as Record<string, string>;
    if (!(key in item)) throw new HttpError(400, "Request body and URI mismatch");
    const { ctx, s } = meta(req, "os_compute_api:server-metadata:update");
    writeMeta(ctx, s, { ...s.instance.metadata, [key]: item[key] as string });
    return json(200, { meta: item });
  });
  r.delete("/servers/{server_id}/metadata/{key}", (req) => {
    const { ctx, s } = meta(req, "os_compute_api:server-metadata:delete");
    const key = req.params.key ?? "";
    if (!(key in s.instance.metadata)) throw new HttpError(404, "Metadata item was not found");
    const md = { ...s.instance.metadata };
    delete md[key];
    writeMeta(ctx, s, md);
    return empty(204);
  });

  // --- tags (2.26+)
  const tagServer = (req: HttpRequest, rule: string, write: boolean) => {
    if (!atLeast(req, 26)) throw new HttpError(404, "The resource could not be found.");
    const { ctx, s } = server(req);
    api.policy.authorize(ctx, rule, target(s));
    if (write) {
      compute.checkLock(ctx, s);
      if (!s.db) throw new HttpError(409, `Cannot update tags of instance ${s.instance.uuid} while it is in vm_state building`);
    }
    return s;
  };
  const setTags = (s: FoundServer, tags: string[]) => {
    const db = s.db as NonNullable<FoundServer["db"]>;
    if (tags.length > 50) throw new HttpError(400, `The number of tags exceeded the per-server limit 50`);
    db.transaction(() => {
      db.prepare("DELETE FROM tags WHERE resource_id = ?").run(s.instance.uuid);
      const ins = db.prepare("INSERT OR IGNORE INTO tags (resource_id, tag) VALUES (?, ?)");
      for (const t of tags) ins.run(s.instance.uuid, t);
    })();
  };
  r.get("/servers/{server_id}/tags", (req) => json(200, { tags: tagServer(req, "os_compute_api:os-server-tags:index", false).tags }));
  r.get("/servers/{server_id}/tags/{tag}", (req) => {
    const s = tagServer(req, "os_compute_api:os-server-tags:show", false);
    if (!s.tags.includes(req.params.tag ?? "")) throw new HttpError(404, `Tag ${req.params.tag} could not be found.`);
    return empty(204);
  });
  r.put("/servers/{server_id}/tags", async (req) => {
    const body = await jsonBody(req);
    validate(tagsBody, body);
    const s = tagServer(req, "os_compute_api:os-server-tags:update_all", true);
    const tags = [...new Set(body.tags as string[])].sort();
    setTags(s, tags);
    return json(200, { tags });
  });
  r.put("/servers/{server_id}/tags/{tag}", (req) => {
    const s = tagServer(req, "os_compute_api:os-server-tags:update", true);
    const tag = req.params.tag ?? "";
    validate(tagsBody, { tags: [tag] });
    if (s.tags.includes(tag)) return empty(204);
    setTags(s, [...s.tags, tag]);
    return empty(201, { location: `${api.baseUrl(req)}/v2.1/servers/${s.instance.uuid}/tags/${encodeURIComponent(tag)}` });
  });
  r.delete("/servers/{server_id}/tags", (req) => {
    setTags(tagServer(req, "os_compute_api:os-server-tags:delete_all", true), []);
    return empty(204);
  });
  r.delete("/servers/{server_id}/tags/{tag}", (req) => {
    const s = tagServer(req, "os_compute_api:os-server-tags:delete", true);
    if (!s.tags.includes(req.params.tag ?? "")) throw new HttpError(404, `Tag ${req.params.tag} could not be found.`);
    setTags(
      s,
      s.tags.filter((t) => t !== req.params.tag),
    );
    return empty(204);
  });
}
