import type { BenchRow } from "../row.js";
import { httpRoundTrips } from "./http-common.js";

/** Floor of the APIs: node:http alone, keep-alive, one request at a time. */
export const row: BenchRow = {
  name: "http.bare_node_http",
  run: (budget) => httpRoundTrips("bare", budget),
};
