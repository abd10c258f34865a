import { createHash, randomUUID } from "node:crypto";
import { createReadStream, createWriteStream, mkdirSync, renameSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import { type Readable, Transform } from "node:stream";
import { pipeline } from "node:stream/promises";

/** What the store learned while writing: Glance's checksum (md5), multihash (sha512) and size. */
export interface StoredData {
  size: number;
  checksum: string;
  hashAlgo: "sha512";
  hashValue: string;
  /** From the disk image's header: qcow2's virtual size, or the size itself for raw. */
  virtualSize: number | null;
}

/**
 * Stream buffers: a few MiB in flight lets the disk write (libuv's thread pool) overlap with hashing
 * and receiving, where 16-64 KiB buffers made each step wait for the previous one; memory stays bounded.
 */
const WRITE_BUFFER = 4 * 1024 * 1024;
/** Download reads: 256 KiB beat both 64 KiB (too many reads) and 1 MiB (garbage-collector time) here. */
const READ_CHUNK = 256 * 1024;

/** The data went over image_size_cap while streaming. */
export class SizeCapExceeded extends Error {
  override name = "SizeCapExceeded";
}

/**
 * glance_store's filesystem backend: one file per image under the data directory, written to a
 * temporary name and renamed into place only once complete (a reader never sees a partial image),
 * plus a staging area for the interoperable import (glance-direct).
 */
export class FileStore {
  readonly stagingDir: string;
  constructor(readonly dir: string) {
    this.stagingDir = join(dir, "staging");
    mkdirSync(this.stagingDir, { recursive: true });
  }

  path(id: string): string {
    return join(this.dir, id);
  }
  stagedPath(id: string): string {
    return join(this.stagingDir, id);
  }
  /** The URL a location records, like glance_store's `file:///…`. */
  location(id: string): string {
    return `file://${this.path(id)}`;
  }

  /** Stream into the store (or the staging area), hashing as the bytes pass, refusing more than `cap` bytes. */
  async write(id: string, source: Readable, cap: number, diskFormat: string | null, opts: { staging?: boolean } = {}): Promise<StoredData> {
    const final = opts.staging ? this.stagedPath(id) : this.path(id);
    const tmp = `${final}.part-${randomUUID()}`;
    const md5 = createHash("md5");
    const sha512 = createHash("sha512");
    let size = 0;
    let head = Buffer.alloc(0);
    const meter = new Transform({
      highWaterMark: WRITE_BUFFER,
      transform(chunk: Buffer, _enc, done) {
        size += chunk.length;
        if (size > cap) return done(new SizeCapExceeded(`The provided image is too large.`));
        if (head.length < 512) head = Buffer.concat([head, chunk.subarray(0, 512 - head.length)]);
        md5.update(chunk);
        sha512.update(chunk);
        done(null, chunk);
      },
    });
    try {
      await pipeline(source, meter, createWriteStream(tmp, { flags: "wx", highWaterMark: WRITE_BUFFER }));
      renameSync(tmp, final);
    } catch (err) {
      rmSync(tmp, { force: true });
      throw err;
    }
    return {
      size,
      checksum: md5.digest("hex"),
      hashAlgo: "sha512",
      hashValue: sha512.digest("hex"),
      virtualSize: virtualSize(head, size, diskFormat),
    };
  }

  /** Move staged data into the store, recomputing what it holds (Glance re-reads it on import too). */
  async importStaged(id: string, cap: number, diskFormat: string | null): Promise<StoredData> {
    const data = await this.write(id, createReadStream(this.stagedPath(id)), cap, diskFormat);
    rmSync(this.stagedPath(id), { force: true });
    return data;
  }

  size(id: string): number | undefined {
    try {
      return statSync(this.path(id)).size;
    } catch {
      return undefined;
    }
  }

  /** A stream of the image's bytes, optionally `start..end` inclusive (HTTP ranges). */
  read(id: string, range?: { start: number; end: number }): Readable {
    return createReadStream(this.path(id), { ...range, highWaterMark: READ_CHUNK });
  }

  delete(id: string): void {
    rmSync(this.path(id), { force: true });
    rmSync(this.stagedPath(id), { force: true });
  }
}

/** qcow2 keeps the guest disk size at byte 24 (big-endian u64); a raw image is its own size. */
function virtualSize(head: Buffer, size: number, diskFormat: string | null): number | null {
  if (head.length >= 32 && head.readUInt32BE(0) === 0x514649fb) return Number(head.readBigUInt64BE(24));
  if (diskFormat === "raw") return size;
  return null;
}
