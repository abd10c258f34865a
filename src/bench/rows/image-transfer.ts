import { execFile } from "node:child_process";
import { createReadStream, createWriteStream, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import type { BenchRow, Budget } from "../row.js";
import { type GlanceUnderTest, call, expectStatus, reportThroughput, sampleAround, startGlance, writeRandomFile } from "./image-common.js";

const SIZE_MIB = 256;
const run = promisify(execFile);
/** A 256 MiB transfer takes about a second: a couple of runs, not hundreds. */
const transferBudget = (b: Budget): Budget => ({ warmup: 1, maxSamples: 5, maxMs: b.maxMs });

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

/** The floor: `cp` of the same 256 MiB file on the same disk (a temp dir, as the image store is). */
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
        () => run("cp", [src, dst]),
        async () => rmSync(dst, { force: true }),
      );
      reportThroughput(this.name, SIZE_MIB, samples);
      return samples;
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
};

/** `PUT /v2/images/{id}/file` of a 256 MiB file read from disk: glance hashes (md5 + sha512) and stores it. */
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
      return samples;
    } finally {
      await g.stop();
    }
  },
};
