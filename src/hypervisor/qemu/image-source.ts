import { createReadStream, statSync } from "node:fs";
import { request } from "node:http";
import { request as httpsRequest } from "node:https";
import type { Readable } from "node:stream";
import type { RequestContext } from "../../engine/common/context.js";

/** Where image bytes come from and snapshots go (Glance's /v2/images/{id}/file). */
export interface ImageSource {
  download(ctx: RequestContext, imageId: string): Promise<Readable>;
  upload(ctx: RequestContext, imageId: string, file: string): Promise<void>;
}

export class ImageTransferError extends Error {
  override name = "ImageTransferError";
}

/** Glance over HTTP with the request's token, as nova.image.glance does. */
export class GlanceHttpImageSource implements ImageSource {
  constructor(readonly endpoint: string) {}

  private call(
    method: string,
    ctx: RequestContext,
    imageId: string,
    body?: { file: string },
  ): Promise<import("node:http").IncomingMessage> {
    const url = new URL(`${this.endpoint.replace(/\/$/, "")}/v2/images/${encodeURIComponent(imageId)}/file`);
    const headers: Record<string, string | number> = {};
    if (ctx.auth_token) headers["x-auth-token"] = ctx.auth_token;
    if (ctx.request_id) headers["x-openstack-request-id"] = ctx.request_id;
    if (body) {
      headers["content-type"] = "application/octet-stream";
      headers["content-length"] = statSync(body.file).size;
    }
    const send = url.protocol === "https:" ? httpsRequest : request;
    return new Promise((resolve, reject) => {
      const req = send(url, { method, headers }, resolve);
      req.on("error", reject);
      if (body) createReadStream(body.file).on("error", reject).pipe(req);
      else req.end();
    });
  }

  async download(ctx: RequestContext, imageId: string): Promise<Readable> {
    const res = await this.call("GET", ctx, imageId);
    if (res.statusCode !== 200) {
      res.resume();
      throw new ImageTransferError(`GET image ${imageId} data: HTTP ${res.statusCode}`);
    }
    return res;
  }

  async upload(ctx: RequestContext, imageId: string, file: string): Promise<void> {
    const res = await this.call("PUT", ctx, imageId, { file });
    res.resume();
    if (res.statusCode !== 204 && res.statusCode !== 200) throw new ImageTransferError(`PUT image ${imageId} data: HTTP ${res.statusCode}`);
  }
}
