import type { BenchRow } from "../row.js";

/**
 * Every benchmark row, in table order. To add one: write rows/<name>.ts exporting `row: BenchRow` and
 * add a line here. Rows load lazily so `--only` pays only for what it runs.
 */
export const ROWS: Array<{ name: string; load: () => Promise<BenchRow> }> = [
  { name: "zmq.dealer_router_roundtrip", load: async () => (await import("./zmq-roundtrip.js")).row },
  { name: "zmq.via_forwarder_3_procs", load: async () => (await import("./zmq-forwarder.js")).row },
  { name: "rpc.call_via_broker", load: async () => (await import("./rpc-call.js")).row },
  { name: "http.bare_node_http", load: async () => (await import("./http-bare.js")).row },
  { name: "http.pipeline_4_filters", load: async () => (await import("./http-pipeline.js")).row },
];
