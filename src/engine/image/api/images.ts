import { randomUUID } from "node:crypto";
import { HttpError } from "../../common/http/errors.js";
import { jsonBody, type Router } from "../../common/http/router.js";
import { type HttpRequest, empty, json } from "../../common/http/types.js";
import { withSpan } from "../../common/trace/tracer.js";
import { badRequest, conflict, forbidden, tooLarge } from "../errors.js";
import { type Image, type ImageChanges, MUTABLE_COLUMNS, type Visibility } from "../repository.js";
import { READ_ONLY_PROPERTIES, checkImage } from "../schemas.js";
import type { ImageService } from "../service.js";
import { imageView } from "../views.js";
import { pageLinks, parseListQuery } from "./list-query.js";

/** Attributes a client may never set (Glance's _readonly_properties), and those kept for itself. */
const READ_ONLY = new Set(READ_ONLY_PROPERTIES);
const RESERVED = new Set(["location", "deleted", "deleted_at"]);
const PATCH_TYPES = ["application/openstack-images-v2.1-json-patch", "application/openstack-images-v2.0-json-patch"];

function checkSettable(key: string, opts: { creating: boolean }): void {
  if (READ_ONLY.has(key) || (!opts.creating && key === "id")) throw forbidden(`Attribute '${key}' is read-only.`);
  if (RESERVED.has(key) || key.startsWith("os_glance")) throw forbidden(`Attribute '${key}' is reserved.`);
}

/** ImagesController: create, list, show, update (JSON patch), delete. */
export function addImageRoutes(r: Router, svc: ImageService): void {
  r.post("/images", (req) => withSpan("ImagesController.create", "internal", () => create(req, svc)));
  r.get("/images", (req) => withSpan("ImagesController.index", "internal", () => index(req, svc)));
  r.get("/images/{image_id}", (req) => {
    const ctx = svc.context(req);
    const image = svc.find(req.params.image_id as string, ctx);
    svc.authorize("get_image", ctx, image);
    return json(200, imageView(image));
  });
  r.patch("/images/{image_id}", (req) => withSpan("ImagesController.update", "internal", () => update(req, svc)));
  r.delete("/images/{image_id}", (req) => withSpan("ImagesController.delete", "internal", () => remove(req, svc)));
}

async function create(req: HttpRequest, svc: ImageService) {
  const ctx = svc.context(req);
  const body = await jsonBody(req);
  for (const key of Object.keys(body)) checkSettable(key, { creating: true });
  checkImage(body);
  const isAdmin = svc.policy.isAdmin(ctx);
  const owner = (body.owner as string | null | undefined) ?? ctx.project_id ?? null;
  if (!isAdmin && owner !== ctx.project_id) throw forbidden(`You are not permitted to create images owned by '${owner}'.`);
  svc.policy.authorize("add_image", ctx, { project_id: owner, owner });
  const visibility = (body.visibility as Visibility | undefined) ?? "shared";
  if (visibility === "public") svc.policy.authorize("publicize_image", ctx, { project_id: owner, owner, visibility });
  if (visibility === "community") svc.policy.authorize("communitize_image", ctx, { project_id: owner, owner, visibility });

  const base = new Set<string>([...MUTABLE_COLUMNS, "id", "tags", "locations"]);
  const properties: Record<string, string> = {};
  for (const [k, v] of Object.entries(body)) if (!base.has(k)) properties[k] = v as string;
  const tags = (body.tags as string[] | undefined) ?? [];
  checkQuotas(svc, tags.length, Object.keys(properties).length);
  if (body.locations !== undefined) throw forbidden("It's not allowed to add locations if locations are invisible.");

  const id = (body.id as string | undefined) ?? randomUUID();
  if (svc.repo.exists(id)) throw conflict(`Image with identifier ${id} already exists!`);
  const image = svc.repo.create({
    id,
    name: (body.name as string | null | undefined) ?? null,
    size: null,
    virtual_size: null,
    status: "queued",
    visibility,
    disk_format: (body.disk_format as string | null | undefined) ?? null,
    container_format: (body.container_format as string | null | undefined) ?? null,
    checksum: null,
    os_hash_algo: null,
    os_hash_value: null,
    owner,
    min_disk: (body.min_disk as number | undefined) ?? 0,
    min_ram: (body.min_ram as number | undefined) ?? 0,
    protected: (body.protected as boolean | undefined) ?? false,
    os_hidden: (body.os_hidden as boolean | undefined) ?? false,
    tags,
    properties,
  });
  return json(201, imageView(image), { location: absolute(req, `/images/${image.id}`) });
}

function absolute(req: HttpRequest, path: string): string {
  const host = req.headers.host ?? "127.0.0.1";
  // serve() marks requests that arrived over TLS (X-Forwarded-Proto), as a proxy in front would.
  const scheme = req.headers["x-forwarded-proto"] === "https" ? "https" : "http";
  return `${scheme}://${host}${req.scriptName}${path}`;
}

function checkQuotas(svc: ImageService, tags: number, properties: number): void {
  if (tags > svc.limits.tagQuota)
    throw tooLarge(`The limit has been exceeded on the number of allowed image tags. Attempted: ${tags}, Maximum: ${svc.limits.tagQuota}`);
  if (properties > svc.limits.propertyQuota)
    throw tooLarge(
      `The limit has been exceeded on the number of allowed image properties. Attempted: ${properties}, Maximum: ${svc.limits.propertyQuota}`,
    );
}

async function index(req: HttpRequest, svc: ImageService) {
  const ctx = svc.context(req);
  svc.policy.authorize("get_images", ctx, { project_id: ctx.project_id });
  const parsed = parseListQuery(req.query, svc.limits);
  const viewer = svc.viewer(ctx);
  let marker: Image | undefined;
  if (parsed.marker !== undefined) {
    marker = svc.repo.get(parsed.marker);
    if (!marker || !svc.repo.visibleTo(marker, viewer)) throw badRequest(`Invalid marker. Image ${parsed.marker} could not be found.`);
  }
  // Each image comes back from SQLite as its view's JSON text: the page is spliced, not re-serialized.
  const images = parsed.query.limit === 0 ? [] : svc.repo.listViews({ ...parsed.query, viewer, marker });
  const full = images.length > 0 && images.length === parsed.query.limit;
  const links = pageLinks(req.query, full ? images[images.length - 1]?.[0] : undefined);
  const tail = JSON.stringify({ first: links.first, schema: "/v2/schemas/images", ...(links.next ? { next: links.next } : {}) });
  const body = `{"images":[${images.map(([, view]) => view).join(",")}],${tail.slice(1)}`;
  return { status: 200, headers: { "content-type": "application/json" }, body };
}

interface PatchOp {
  op: "add" | "remove" | "replace";
  path: string[];
  value?: unknown;
}

/** Glance's JSON pointer rules: starts with '/', no empty segments, ~0/~1 escapes only. */
function decodePointer(pointer: unknown): string[] {
  if (typeof pointer !== "string") throw badRequest("Unable to find 'path' in JSON Schema change");
  if (!pointer.startsWith("/")) throw badRequest(`Pointer \`${pointer}\` does not start with "/".`);
  if (/\/\s*\//.test(pointer.slice(1))) throw badRequest(`Pointer \`${pointer}\` contains adjacent "/".`);
  if (pointer.length > 1 && pointer.endsWith("/")) throw badRequest(`Pointer \`${pointer}\` end with "/".`);
  if (/~[^01]/.test(pointer) || pointer.endsWith("~"))
    throw badRequest(`Pointer \`${pointer}\` contains "~" not part of a recognized escape sequence.`);
  // Glance strips every leading "/" (so `//name` is `name`); adjacent ones after the first are refused above.
  return pointer
    .replace(/^\/+/, "")
    .split("/")
    .map((p) => p.replace(/~1/g, "/").replace(/~0/g, "~").trim());
}

function parsePatch(doc: unknown): PatchOp[] {
  if (!Array.isArray(doc)) throw badRequest("Request body must be a JSON array of operation objects.");
  return doc.map((raw) => {
    if (raw === null || typeof raw !== "object" || Array.isArray(raw)) throw badRequest("Operations must be JSON objects.");
    const change = raw as Record<string, unknown>;
    if (!("op" in change)) throw badRequest("Unable to find 'op' in JSON Schema change");
    const op = change.op;
    if (op !== "add" && op !== "remove" && op !== "replace")
      throw badRequest(`Invalid operation: \`${String(op)}\`. It must be one of the following: add, remove, replace.`);
    if (!("path" in change)) throw badRequest("Unable to find 'path' in JSON Schema change");
    const path = decodePointer(change.path);
    const root = path[0] as string;
    if (root === "locations")
      throw forbidden(`It's not allowed to ${op === "replace" ? "update" : op} locations if locations are invisible.`);
    checkSettable(root, { creating: false });
    if (path.length > 1) throw badRequest(`Invalid JSON pointer for this resource: '/${path.join("/")}'`);
    if (op !== "remove" && !("value" in change)) throw badRequest(`Operation "${op}" requires a member named "value".`);
    return { op, path, value: change.value };
  });
}

async function update(req: HttpRequest, svc: ImageService) {
  const ctx = svc.context(req);
  const ct =
    String(req.headers["content-type"] ?? "")
      .split(";")[0]
      ?.trim() ?? "";
  if (!PATCH_TYPES.includes(ct))
    throw new HttpError(415, `Unsupported Content-Type`, { headers: { "accept-patch": PATCH_TYPES.join(", ") } });
  let doc: unknown;
  try {
    doc = JSON.parse((await req.body()).toString("utf8"));
  } catch (e) {
    throw badRequest(`Malformed JSON in request body: ${(e as Error).message}`);
  }
  const changes = parsePatch(doc);
  const image = svc.find(req.params.image_id as string, ctx);
  svc.authorize("modify_image", ctx, image);

  // Apply to a working copy: base attributes, additional properties and tags.
  const base: Record<string, unknown> = Object.fromEntries(MUTABLE_COLUMNS.map((k) => [k, image[k]]));
  const props: Record<string, string> = { ...image.properties };
  let tags = [...image.tags];
  const isBase = (k: string) => (MUTABLE_COLUMNS as readonly string[]).includes(k) || k === "tags";
  for (const { op, path, value } of changes) {
    const key = path[0] as string;
    if (op === "remove") {
      if (isBase(key)) throw forbidden(`Property ${key} may not be removed.`);
      if (!(key in props)) throw conflict(`Property ${key} does not exist.`);
      delete props[key];
      continue;
    }
    if (op === "replace" && !isBase(key) && !(key in props)) throw conflict(`Property ${key} does not exist.`);
    if (key === "tags") tags = value as string[];
    else if (isBase(key)) base[key] = value;
    else props[key] = value as string;
  }
  checkImage({ ...props, ...base, tags });

  for (const k of ["container_format", "disk_format"] as const) {
    if (base[k] !== image[k] && image.status !== "queued") throw forbidden(`Attribute ${k} can be only replaced for a queued image.`);
  }
  const isAdmin = svc.policy.isAdmin(ctx);
  if (base.owner !== image.owner && !isAdmin) throw forbidden("Owner can't be updated by non admin.");
  if (base.visibility !== image.visibility) {
    const target = svc.target(image, ctx);
    if (base.visibility === "public") svc.policy.authorize("publicize_image", ctx, target);
    if (base.visibility === "community") svc.policy.authorize("communitize_image", ctx, target);
  }
  checkQuotas(svc, new Set(tags).size, Object.keys(props).length);

  const columnChanges: ImageChanges = {};
  for (const k of MUTABLE_COLUMNS) if (base[k] !== image[k]) (columnChanges as Record<string, unknown>)[k] = base[k];
  const removed = Object.keys(image.properties).filter((k) => !(k in props));
  const updated = svc.repo.update(image.id, columnChanges, {
    setProperties: props,
    removeProperties: removed,
    tags: tags.join("\u0000") === image.tags.join("\u0000") ? undefined : tags,
  });
  if (!updated) throw new HttpError(404, `Failed to find image ${image.id} to update`);
  return json(200, imageView(updated));
}

async function remove(req: HttpRequest, svc: ImageService) {
  const ctx = svc.context(req);
  const image = svc.find(req.params.image_id as string, ctx);
  svc.authorize("delete_image", ctx, image);
  if (image.protected) throw forbidden(`Image ${image.id} is protected and cannot be deleted.`);
  if (!svc.repo.delete(image.id)) throw new HttpError(404, `Failed to find image ${image.id} to delete`);
  svc.store.delete(image.id);
  return empty(204);
}
