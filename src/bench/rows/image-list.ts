import type { BenchRow, Budget } from "../row.js";
import { sample } from "../row.js";
import { type GlanceUnderTest, call, expectStatus, startGlance } from "./image-common.js";

const IMAGES = 1000;

/** A glance process holding 1,000 images visible to the caller (each with a tag and a property, like a real catalog). */
async function glanceWithImages(): Promise<GlanceUnderTest> {
  const g = await startGlance();
  try {
    for (let i = 0; i < IMAGES; i++) {
      const body = {
        name: `img-${String(i).padStart(4, "0")}`,
        disk_format: "qcow2",
        container_format: "bare",
        tags: ["bench"],
        os_distro: "cirros",
      };
      await expectStatus(call(g, "POST", "/v2/images", { json: body }), 201, "create");
    }
    return g;
  } catch (err) {
    await g.stop();
    throw err;
  }
}

/** Time `GET path` (request until the whole answer has arrived; parsing it is the client's cost, not the API's). */
async function timeList(budget: Budget, path: string, expected: number): Promise<number[]> {
  const g = await glanceWithImages();
  try {
    const first = await expectStatus(call(g, "GET", path), 200, "list");
    if (JSON.parse(first.body).images.length !== expected) throw new Error(`GET ${path} did not return ${expected} images`);
    const list = () => expectStatus(call(g, "GET", path), 200, "list");
    return await sample({ warmup: Math.min(budget.warmup, 20), maxSamples: Math.min(budget.maxSamples, 200), maxMs: budget.maxMs }, list);
  } finally {
    await g.stop();
  }
}

/**
 * `GET /v2/images?limit=1000` with 1,000 images: one page holding every image (api_limit_max), the
 * heaviest list a client can ask for. Target: p50 <= 20 ms over bare node:http.
 */
export const listRow: BenchRow = {
  name: "image.list_1000_images",
  floorOf: "http.bare_node_http",
  target: { maxExtraMs: 20 },
  run: (budget) => timeList(budget, `/v2/images?limit=${IMAGES}`, IMAGES),
};

/** `GET /v2/images` with 1,000 images: Glance's default page (limit_param_default, 25), what a client's first call gets. */
export const listDefaultPageRow: BenchRow = {
  name: "image.list_1000_images_default_page",
  floorOf: "http.bare_node_http",
  target: { maxExtraMs: 20 },
  run: (budget) => timeList(budget, "/v2/images", 25),
};
