import { accessSync, constants, mkdirSync } from "node:fs";
import { createServer } from "node:net";
import type { Layout } from "../common/paths.js";
import type { ServiceSpec } from "./services.js";

/** Where a port's option lives, so the error can say how to move it. */
const PORT_OPTION: Record<string, string> = {
  "bus-cell1": "DEFAULT.transport_url=zmq://127.0.0.1:<port>",
  "trace-collector": "trace.collector_url=zmq://127.0.0.1:<port>",
  keystone: "api.keystone_port=<port>",
  glance: "api.glance_port=<port>",
  placement: "api.placement_port=<port>",
  "nova-api": "api.compute_port=<port>",
  "nova-novncproxy": "vnc.novncproxy_port=<port>",
};

function portFree(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.once("error", () => resolve(false));
    srv.listen(port, host, () => srv.close(() => resolve(true)));
  });
}

/**
 * Before a first start: the state dir must be writable and every port free. Each problem is one line
 * that says what to do, instead of a unit that crashes in a loop until `cloud up` times out.
 */
export async function preflight(l: Layout, specs: ServiceSpec[], host: string): Promise<void> {
  try {
    mkdirSync(l.run, { recursive: true });
    accessSync(l.root, constants.W_OK);
  } catch {
    throw new Error(`the state directory ${l.root} is not writable: choose another with --state-dir or POCKETSTACK_HOME`);
  }
  for (const spec of specs) {
    const port = spec.port ?? spec.tcpPort;
    if (!port || (await portFree(host, port))) continue;
    const how = PORT_OPTION[spec.name]?.replace("<port>", "…");
    throw new Error(`port ${port} (${spec.name}) is already in use on ${host}: stop what uses it${how ? `, or move ${spec.name} with --set ${how}` : ""}`);
  }
}
