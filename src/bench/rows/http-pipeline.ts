import type { BenchRow } from "../row.js";
import { httpRoundTrips } from "./http-common.js";

/** The same request behind request_id, faultwrap, sizelimit, trace and a Router. */
export const row: BenchRow = {
  name: "http.pipeline_4_filters",
  floorOf: "http.bare_node_http",
  target: { maxExtraMs: 0.05 },
  run: (budget) => httpRoundTrips("pipeline", budget),
};
