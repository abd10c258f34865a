import { createHash } from "node:crypto";
import { createWriteStream, existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync, utimesSync } from "node:fs";
import { join } from "node:path";
import { Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import { execa } from "execa";
import type { RequestContext } from "../../engine/common/context.js";
import type { ImageMeta } from "../driver.js";
import type { ImageSource } from "./image-source.js";

export class ImageCacheError extends Error {
  override name = "ImageCacheError";
}

/** Nova names a cached base after the SHA-1 of the image id (nova.virt.imagecache). */
export const baseNameOf = (imageId: string) => createHash("sha1").update(imageId).digest("hex");

/**
 * The node's image cache (`_base`, as Nova's libvirt driver keeps it): each Glance image is downloaded
 * once, its MD5 checked against Glance's `checksum`, and then shared read-only by every instance
 * overlay on this node. Unused bases age out (nova's image cache manager).
 */
export class ImageCache {
  private readonly inflight = new Map<string, Promise<string>>();
  hits = 0;
  misses = 0;

  constructor(
    readonly dir: string,
    private readonly source: ImageSource,
  ) {}

  pathOf(imageId: string): string {
    return join(this.dir, baseNameOf(imageId));
  }

  /** The base file for this image, downloading it when the node has none yet. */
  async fetch(ctx: RequestContext, image: ImageMeta): Promise<string> {
    const id = image.id;
    if (!id) throw new ImageCacheError("image has no id");
    const path = this.pathOf(id);
    if (existsSync(path)) {
      this.hits++;
      const now = new Date();
      utimesSync(path, now, now); // last use, for ageing out
      return path;
    }
    let p = this.inflight.get(id);
    if (!p) {
      this.misses++;
      p = this.download(ctx, image, path).finally(() => this.inflight.delete(id));
      this.inflight.set(id, p);
    }
    return p;
  }

  private async download(ctx: RequestContext, image: ImageMeta, path: string): Promise<string> {
    mkdirSync(this.dir, { recursive: true });
    const part = `${path}.part-${process.pid}-${Date.now()}`;
    const md5 = createHash("md5");
    let size = 0;
    try {
      const body = await this.source.download(ctx, image.id as string);
      const hasher = new Transform({
        transform(chunk: Buffer, _enc, cb) {
          md5.update(chunk);
          size += chunk.length;
          cb(null, chunk);
        },
      });
      await pipeline(body, hasher, createWriteStream(part, { mode: 0o644 }));
      const sum = md5.digest("hex");
      if (image.checksum && sum !== image.checksum)
        throw new ImageCacheError(`image ${image.id}: downloaded data has md5 ${sum}, Glance says ${image.checksum}`);
      if (typeof image.size === "number" && image.size !== size)
        throw new ImageCacheError(`image ${image.id}: downloaded ${size} bytes, Glance says ${image.size}`);
      await checkImageFile(part, image.disk_format);
      renameSync(part, path); // atomic: a base is whole or absent
      return path;
    } catch (err) {
      rmSync(part, { force: true });
      throw err;
    }
  }

  /**
   * Remove bases no instance uses and nobody touched for `minAgeSeconds` (Nova's
   * remove_unused_original_minimum_age_seconds, 86400 by default). Returns the removed image hashes.
   */
  ageOut(inUseImageIds: Iterable<string>, minAgeSeconds: number): string[] {
    if (!existsSync(this.dir)) return [];
    const used = new Set([...inUseImageIds].map(baseNameOf));
    const removed: string[] = [];
    for (const name of readdirSync(this.dir)) {
      if (!/^[0-9a-f]{40}$/.test(name) || used.has(name) || this.inflightHas(name)) continue;
      const file = join(this.dir, name);
      const ageS = (Date.now() - statSync(file).mtimeMs) / 1000;
      if (ageS < minAgeSeconds) continue;
      rmSync(file, { force: true });
      removed.push(name);
    }
    return removed;
  }

  private inflightHas(hash: string): boolean {
    for (const id of this.inflight.keys()) if (baseNameOf(id) === hash) return true;
    return false;
  }
}

/**
 * What qemu-img says about the downloaded file: it must be the format Glance declared, and a qcow2
 * must not name a backing file (a crafted image could otherwise read any host file; Nova refuses too).
 */
export async function checkImageFile(file: string, diskFormat: string | undefined): Promise<void> {
  const r = await execa("qemu-img", ["info", "--output=json", file], { reject: false });
  if (r.exitCode !== 0) throw new ImageCacheError(`qemu-img info failed: ${r.stderr.trim()}`);
  const info = JSON.parse(r.stdout) as { format: string; "backing-filename"?: string };
  if (info["backing-filename"]) throw new ImageCacheError(`image has a backing file (${info["backing-filename"]}): refused`);
  if (diskFormat && diskFormat !== info.format && !(diskFormat === "raw" && info.format === "raw"))
    throw new ImageCacheError(`image is ${info.format}, but its disk_format says ${diskFormat}`);
}
