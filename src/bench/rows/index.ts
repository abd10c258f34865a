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
  { name: "keystone.fernet_validate_in_process", load: async () => (await import("./keystone-fernet.js")).row },
  { name: "keystone.validate_uncached", load: async () => (await import("./keystone-validate.js")).uncachedRow },
  { name: "keystone.validate_uncached_x8", load: async () => (await import("./keystone-validate.js")).uncachedThroughputRow },
  { name: "keystone.validate_cached_authtoken", load: async () => (await import("./keystone-validate.js")).cachedRow },
  { name: "keystone.validate_cached_authtoken_x8", load: async () => (await import("./keystone-validate.js")).cachedThroughputRow },
  { name: "keystone.issue_token_method", load: async () => (await import("./keystone-issue.js")).byTokenRow },
  { name: "keystone.issue_token_method_x8", load: async () => (await import("./keystone-issue.js")).byTokenThroughputRow },
  { name: "keystone.issue_password", load: async () => (await import("./keystone-issue.js")).byPasswordRow },
  { name: "image.cp_256MiB_floor", load: async () => (await import("./image-transfer.js")).cpRow },
  { name: "image.upload_256MiB", load: async () => (await import("./image-transfer.js")).uploadRow },
  { name: "image.download_256MiB", load: async () => (await import("./image-transfer.js")).downloadRow },
  { name: "image.list_1000_images", load: async () => (await import("./image-list.js")).listRow },
  { name: "placement.perfload_create_1000_providers", load: async () => (await import("./placement-perfload.js")).createProviders },
  { name: "placement.allocation_candidates_1000", load: async () => (await import("./placement-perfload.js")).candidates },
  { name: "placement.allocation_candidates_limit_50", load: async () => (await import("./placement-perfload.js")).candidatesLimit50 },
  { name: "placement.allocation_put", load: async () => (await import("./placement-perfload.js")).allocationPut },
  { name: "nova.server_create_to_active", load: async () => (await import("./nova-servers.js")).createRow },
  { name: "nova.create_100_concurrent_2_nodes_total", load: async () => (await import("./nova-servers.js")).concurrentRow },
  { name: "nova.servers_detail_1000", load: async () => (await import("./nova-servers.js")).detailRow },
  { name: "tui.watch_open_10k_traces", load: async () => (await import("./tui-watch.js")).openRow },
  { name: "tui.watch_frame_scroll", load: async () => (await import("./tui-watch.js")).frameRow },
  { name: "qemu.boot_to_login_bare_floor", load: async () => (await import("./qemu-boot.js")).bareRow },
  { name: "qemu.create_to_login", load: async () => (await import("./qemu-boot.js")).createToLoginRow },
  { name: "qemu.create_to_active_image_cache_hit", load: async () => (await import("./qemu-boot.js")).cacheHitRow },
  { name: "qemu.create_to_active_image_cache_miss", load: async () => (await import("./qemu-boot.js")).cacheMissRow },
];
