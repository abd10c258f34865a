import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { createReadStream, createWriteStream, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { type BenchRow, type Budget, recordMetric } from "../row.js";
import {
  type GlanceUnderTest,
  MiB,
  call,
  expectStatus,
  reportThroughput,
  sampleAround,
  startGlance,
  writeRandomFile,
} from "./image-common.js";

const SIZE_MIB = 256;
const run = promisify(execFile);
/** A 256 MiB transfer takes a second or more: a few runs (at least 3, for a median), not hundreds. */
const transferBudget = (b: Budget): Budget & { minSamples: number } => ({ warmup: 1, maxSamples: 5, maxMs: b.maxMs, minSamples: 3 });

async function createImage(g: GlanceUnderTest): Promise<string> {
  const r = await expectStatus(
    call(g, "POST", "/v2/images", { json: { name: "bench", disk_format: "raw", container_format: "bare" } }),
    201,
    "create",
  );
  return JSON.parse(r.body).id as string;
}
const deleteImage = (g: GlanceUnderTest, id: string) => expectStatus(call(g, "DELETE", `/v2/images/${id}`), 204, "delete");
const upload = (g: GlanceUnderTest, id: string, file: string) =>
  expectStatus(call(g, "PUT", `/v2/images/${id}/file`, { stream: createReadStream(file, { highWaterMark: 1024 * 1024 }) }), 204, "upload");

/** The 1-minute load average while a row ran: on a shared machine, a throughput means little without it. */
const recordLoad = (row: string) =>
  recordMetric({ row, name: "load average (1 min) at the end of the row", value: loadavg()[0] ?? 0, unit: "" });

/**
 * The floor: `cp` of a 256 MiB file to a new file in the same directory, in the conditions of the
 * upload and download rows: the source was just written (so it is in the page cache, as the upload's
 * source and the download's stored image are), the copy is a new file on the same filesystem (the
 * temp dir, where the bench's glance keeps its store), and nothing is fsynced (neither does the store).
 * `--reflink=never`: on a copy-on-write filesystem (btrfs, XFS) cp would only clone extents.
 */
export const cpRow: BenchRow = {
  name: "image.cp_256MiB_floor",
  async run(budget) {
    const dir = mkdtempSync(join(tmpdir(), "pocketstack-bench-cp-"));
    try {
      const src = writeRandomFile(dir, "src.img", SIZE_MIB);
      const dst = join(dir, "dst.img");
      const samples = await sampleAround(
        transferBudget(budget),
        async () => undefined,
        () => run("cp", ["--reflink=never", src, dst]),
        async () => rmSync(dst, { force: true }),
      );
      reportThroughput(this.name, SIZE_MIB, samples);
      recordLoad(this.name);
      return samples;
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
};

/** md5 then sha512 over `data` in 1 MiB steps, as one thread does them during an upload; returns ms. */
function hashBoth(data: Buffer): number {
  const t = performance.now();
  const md5 = createHash("md5");
  const sha512 = createHash("sha512");
  for (let off = 0; off < data.length; off += MiB) {
    const chunk = data.subarray(off, off + MiB);
    md5.update(chunk);
    sha512.update(chunk);
  }
  md5.digest();
  sha512.digest();
  return performance.now() - t;
}

/**
 * The other floor of an upload: Glance must compute `checksum` (md5) and `os_hash_value` (sha512) over
 * every byte. Each hash is sequential (it cannot be split across threads), and the store computes both on
 * one thread, so an upload cannot beat this row on the same CPU, whatever the disk does: both hashes over
 * 256 MiB already in memory, in this process.
 */
export const hashRow: BenchRow = {
  name: "image.md5_sha512_256MiB_floor",
  async run(budget) {
    const dir = mkdtempSync(join(tmpdir(), "pocketstack-bench-hash-"));
    try {
      const data = readFileSync(writeRandomFile(dir, "src.img", SIZE_MIB));
      const samples = await sampleAround(
        transferBudget(budget),
        async () => undefined,
        async () => hashBoth(data),
        async () => undefined,
      );
      reportThroughput(this.name, SIZE_MIB, samples);
      recordLoad(this.name);
      return samples;
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
};

/**
 * `PUT /v2/images/{id}/file` of a 256 MiB file read from disk: glance hashes (md5 + sha512) and stores it.
 * Besides its ratio to cp, the row reports its ratio to md5+sha512 in memory, measured in the same run.
 */
export const uploadRow: BenchRow = {
  name: "image.upload_256MiB",
  floorOf: "image.cp_256MiB_floor",
  target: { maxRatio: 2 },
  async run(budget) {
    const g = await startGlance();
    try {
      const src = writeRandomFile(g.dir, "src.img", SIZE_MIB);
      const samples = await sampleAround(
        transferBudget(budget),
        () => createImage(g),
        (id) => upload(g, id, src),
        (id) => deleteImage(g, id),
      );
      reportThroughput(this.name, SIZE_MIB, samples);
      const data = readFileSync(src);
      const hashMs = median([0, 1, 2].map(() => hashBoth(data)));
      recordMetric({
        row: this.name,
        name: "md5+sha512 of the same file in memory, this process",
        value: Math.round((SIZE_MIB * 1000) / hashMs),
        unit: "MiB/s",
      });
      recordMetric({ row: this.name, name: "upload time / md5+sha512 time", value: median(samples) / hashMs, unit: "x" });
      recordLoad(this.name);
      return samples;
    } finally {
      await g.stop();
    }
  },
};

/** `GET /v2/images/{id}/file` of a 256 MiB image, written to a file on the same disk (`os image save --file`). */
export const downloadRow: BenchRow = {
  name: "image.download_256MiB",
  floorOf: "image.cp_256MiB_floor",
  target: { maxRatio: 2 },
  async run(budget) {
    const g = await startGlance();
    try {
      const src = writeRandomFile(g.dir, "src.img", SIZE_MIB);
      const id = await createImage(g);
      await upload(g, id, src);
      rmSync(src);
      const dst = join(g.dir, "saved.img");
      const samples = await sampleAround(
        transferBudget(budget),
        async () => undefined,
        () =>
          expectStatus(
            call(g, "GET", `/v2/images/${id}/file`, { sink: createWriteStream(dst, { highWaterMark: 4 * 1024 * 1024 }) }),
            200,
            "download",
          ),
        async () => rmSync(dst, { force: true }),
      );
      reportThroughput(this.name, SIZE_MIB, samples);
      recordLoad(this.name);
      return samples;
    } finally {
      await g.stop();
    }
  },
};

function median(xs: number[]): number {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.floor((sorted.length - 1) / 2)] ?? Number.NaN;
}
