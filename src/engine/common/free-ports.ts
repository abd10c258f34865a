// Free TCP ports on 127.0.0.1 chosen by the OS (listen on port 0), for anything that starts a second
// cloud or a server beside the learner's: labs, benchmarks, tests.
import { type Server, createServer } from "node:net";

function listenAnywhere(): Promise<Server> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => resolve(srv));
  });
}

/** `count` distinct free ports: every listener stays open until all are known, so none is handed out twice. */
export async function freePorts(count: number): Promise<number[]> {
  const servers = await Promise.all(Array.from({ length: count }, listenAnywhere));
  const ports = servers.map((s) => {
    const addr = s.address();
    return typeof addr === "object" && addr ? addr.port : 0;
  });
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  return ports;
}

/** One free port. */
export async function freePort(): Promise<number> {
  return (await freePorts(1))[0] as number;
}

/** `section.option=value` overrides that move every port of a local cloud to free ones (bus, collector, APIs, noVNC). */
export async function isolatedPortSettings(): Promise<string[]> {
  const [bus, collector, keystone, glance, placement, compute, novnc] = await freePorts(7);
  return [
    `DEFAULT.transport_url=zmq://127.0.0.1:${bus}`,
    `trace.collector_url=zmq://127.0.0.1:${collector}`,
    `api.keystone_port=${keystone}`,
    `api.glance_port=${glance}`,
    `api.placement_port=${placement}`,
    `api.compute_port=${compute}`,
    `vnc.novncproxy_port=${novnc}`,
  ];
}
