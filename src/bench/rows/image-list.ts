import type { BenchRow } from "../row.js";
import { sample } from "../row.js";
import { call, expectStatus, startGlance } from "./image-common.js";

const IMAGES = 1000;

/**
 * `GET /v2/images?limit=1000` with 1,000 images visible to the caller: one page holding every image
 * (api_limit_max), the heaviest list a client can ask for. Target: p50 <= 20 ms over bare node:http.
 */
export const listRow: BenchRow = {
  name: "image.list_1000_images",
  floorOf: "http.bare_node_http",
  target: { maxExtraMs: 20 },
  async run(budget) {
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
      const first = await expectStatus(call(g, "GET", `/v2/images?limit=${IMAGES}`), 200, "list");
      if (JSON.parse(first.body).images.length !== IMAGES) throw new Error("list did not return every image");
      // Timed: the request until the whole answer has arrived (parsing it is the client's cost, not the API's).
      const list = () => expectStatus(call(g, "GET", `/v2/images?limit=${IMAGES}`), 200, "list");
      return await sample({ warmup: Math.min(budget.warmup, 20), maxSamples: Math.min(budget.maxSamples, 200), maxMs: budget.maxMs }, list);
    } finally {
      await g.stop();
    }
  },
};
