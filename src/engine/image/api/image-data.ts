import { HttpError } from "../../common/http/errors.js";
import { jsonBody, type Router } from "../../common/http/router.js";
import { type HttpRequest, empty, json } from "../../common/http/types.js";
import { log } from "../../common/log.js";
import { withSpan } from "../../common/trace/tracer.js";
import { badRequest, conflict, forbidden, invalidTransition } from "../errors.js";
import { type StoredData, SizeCapExceeded } from "../file-store.js";
import type { Image } from "../repository.js";
import type { ImageService } from "../service.js";

export const IMPORT_METHODS = ["glance-direct", "web-download"];

const tooLargeError = (e: Error) =>
  // The client may still be sending: answer and close rather than drain what could be gigabytes.
  new HttpError(413, `The incoming image is too large: ${e.message}`, { headers: { connection: "close" } });

function requireOctetStream(req: HttpRequest): void {
  const ct = String(req.headers["content-type"] ?? "")
    .split(";")[0]
    ?.trim();
  if (ct !== "application/octet-stream") throw new HttpError(415, "Content-Type must be application/octet-stream");
}

function requireFormats(image: Image): void {
  const missing = (["disk_format", "container_format"] as const).filter((k) => !image[k]);
  if (missing.length) throw badRequest(`Properties ${missing.join(", ")} must be set prior to saving data.`);
}

/** Refuse a declared length over the cap before reading a byte. */
function checkDeclaredLength(req: HttpRequest, cap: number): void {
  const declared = Number(req.headers["content-length"] ?? Number.NaN);
  if (Number.isFinite(declared) && declared > cap) throw tooLargeError(new Error("The provided image is too large."));
}

/**
 * Stream the request body into the store while the image sits in `during`, then move it to `after`.
 * Both moves are compare-and-swap: a second upload, or a delete mid-way, loses cleanly.
 */
async function receive(
  req: HttpRequest,
  svc: ImageService,
  image: Image,
  during: "saving" | "uploading",
  staging: boolean,
): Promise<StoredData> {
  const cap = svc.limits.imageSizeCap;
  checkDeclaredLength(req, cap);
  if (!svc.repo.update(image.id, { status: during }, { fromStatus: ["queued"] })) {
    const now = svc.repo.get(image.id);
    throw invalidTransition(now?.status ?? "deleted", during);
  }
  try {
    return await withSpan(`glance_store.add`, "internal", () => svc.store.write(image.id, req.raw, cap, image.disk_format, { staging }), {
      attributes: { image_id: image.id, staging },
    });
  } catch (err) {
    // Put the image back to queued so the client can try again (Glance's _restore).
    svc.repo.update(image.id, { status: "queued" }, { fromStatus: [during] });
    if (err instanceof SizeCapExceeded) throw tooLargeError(err);
    log.warning(`upload of ${image.id} failed: ${(err as Error).message}`, req.environ.request_id as string);
    throw badRequest(`Error in store configuration or data transfer: ${(err as Error).message}`);
  }
}

const goneAfterUpload = (id: string) =>
  new HttpError(410, `Image ${id} could not be found after upload. The image may have been deleted during the upload.`);

/** ImageDataController: PUT/GET /v2/images/{id}/file, plus the interoperable import (stage, import). */
export function addImageDataRoutes(r: Router, svc: ImageService): void {
  r.put("/images/{image_id}/file", (req) =>
    withSpan("ImageDataController.upload", "internal", async () => {
      const ctx = svc.context(req);
      const image = svc.find(req.params.image_id as string, ctx);
      svc.authorize("upload_image", ctx, image);
      requireOctetStream(req);
      requireFormats(image);
      if (image.status !== "queued") throw invalidTransition(image.status, "saving");
      const data = await receive(req, svc, image, "saving", false);
      const done = svc.repo.update(
        image.id,
        {
          status: "active",
          size: data.size,
          checksum: data.checksum,
          os_hash_algo: data.hashAlgo,
          os_hash_value: data.hashValue,
          virtual_size: data.virtualSize,
        },
        { fromStatus: ["saving"] },
      );
      if (!done) {
        svc.store.delete(image.id);
        throw goneAfterUpload(image.id);
      }
      return empty(204);
    }),
  );

  r.get("/images/{image_id}/file", (req) =>
    withSpan("ImageDataController.download", "internal", () => {
      const ctx = svc.context(req);
      const image = svc.find(req.params.image_id as string, ctx);
      svc.authorize("download_image", ctx, image);
      if (image.status === "deactivated" && !svc.policy.isAdmin(ctx))
        throw forbidden("The requested image has been deactivated. Image data download is forbidden.");
      const size = svc.store.size(image.id);
      if (image.status !== "active" && image.status !== "deactivated") return empty(204);
      if (size === undefined) return empty(204);
      const headers: Record<string, string> = { "content-type": "application/octet-stream", "accept-ranges": "bytes" };
      if (image.checksum) headers["content-md5"] = image.checksum;
      const range = parseRange(req.headers.range, size);
      if (range === "unsatisfiable")
        throw new HttpError(416, "Requested range not satisfiable", { headers: { "content-range": `bytes */${size}` } });
      if (range) {
        headers["content-range"] = `bytes ${range.start}-${range.end}/${size}`;
        headers["content-length"] = String(range.end - range.start + 1);
        return { status: 206, headers, body: svc.store.read(image.id, range) };
      }
      headers["content-length"] = String(size);
      return { status: 200, headers, body: svc.store.read(image.id) };
    }),
  );

  r.get("/info/import", () =>
    json(200, { "import-methods": { description: "Import methods available.", type: "array", value: IMPORT_METHODS } }),
  );

  r.put("/images/{image_id}/stage", (req) =>
    withSpan("ImageDataController.stage", "internal", async () => {
      const ctx = svc.context(req);
      const image = svc.find(req.params.image_id as string, ctx);
      svc.authorize("upload_image", ctx, image);
      requireOctetStream(req);
      if (image.status !== "queued") throw conflict(`Image status transition from ${image.status} to uploading is not allowed`);
      const data = await receive(req, svc, image, "uploading", true);
      // The staged size is visible while the image waits for its import.
      if (!svc.repo.update(image.id, { size: data.size }, { fromStatus: ["uploading"] })) {
        svc.store.delete(image.id);
        throw goneAfterUpload(image.id);
      }
      return empty(204);
    }),
  );

  r.post("/images/{image_id}/import", (req) =>
    withSpan("ImagesController.import_image", "internal", async () => {
      const ctx = svc.context(req);
      const body = await jsonBody(req);
      const method = body.method as { name?: unknown; uri?: unknown } | undefined;
      if (!method || typeof method !== "object" || typeof method.name !== "string")
        throw badRequest("Import request requires a 'method' field.");
      if (!IMPORT_METHODS.includes(method.name))
        throw badRequest(`Import method ${method.name} is not valid. Valid methods: ${IMPORT_METHODS.join(", ")}`);
      const image = svc.find(req.params.image_id as string, ctx);
      svc.authorize("modify_image", ctx, image);
      requireFormats(image);
      if (method.name === "web-download") {
        if (typeof method.uri !== "string" || method.uri === "") throw badRequest("URI is required for web-download import method.");
        if (image.status !== "queued") throw conflict(`Image status transition from ${image.status} to importing is not allowed`);
        // Nothing leaves this machine: every URI fails Glance's import URI filtering.
        throw badRequest(
          `URI for web-download does not pass filtering: ${method.uri} (this cloud has no outbound network; upload the file or use glance-direct)`,
        );
      }
      if (image.status !== "uploading") throw conflict("Image needs to be staged before 'glance-direct' method can be used");
      if (!svc.repo.update(image.id, { status: "importing" }, { fromStatus: ["uploading"] })) {
        const now = svc.repo.get(image.id);
        throw invalidTransition(now?.status ?? "deleted", "importing");
      }
      // Like Glance's import task: accepted now, done in the background (poll the image's status).
      void runImport(svc, image, req.environ.request_id as string);
      return empty(202);
    }),
  );
}

async function runImport(svc: ImageService, image: Image, requestId: string): Promise<void> {
  try {
    const data = await withSpan("api_image_import.ImportToStore", "internal", () =>
      svc.store.importStaged(image.id, svc.limits.imageSizeCap, image.disk_format),
    );
    const done = svc.repo.update(
      image.id,
      {
        status: "active",
        size: data.size,
        checksum: data.checksum,
        os_hash_algo: data.hashAlgo,
        os_hash_value: data.hashValue,
        virtual_size: data.virtualSize,
      },
      { fromStatus: ["importing"] },
    );
    if (!done) svc.store.delete(image.id);
  } catch (err) {
    log.warning(`import of ${image.id} failed: ${(err as Error).message}`, requestId);
    svc.store.delete(image.id);
    svc.repo.update(
      image.id,
      { status: "queued", size: null },
      {
        fromStatus: ["importing"],
        setProperties: { os_glance_failed_import: "file" },
      },
    );
  }
}

/** `Range: bytes=a-b`, `bytes=a-`, `bytes=-n` (one range; several are served whole). */
function parseRange(header: string | undefined, size: number): { start: number; end: number } | "unsatisfiable" | undefined {
  if (!header) return undefined;
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!m || (m[1] === "" && m[2] === "")) return undefined;
  let start: number;
  let end: number;
  if (m[1] === "") {
    start = Math.max(0, size - Number(m[2]));
    end = size - 1;
  } else {
    start = Number(m[1]);
    end = m[2] === "" ? size - 1 : Math.min(Number(m[2]), size - 1);
  }
  if (start >= size || start > end) return "unsatisfiable";
  return { start, end };
}
