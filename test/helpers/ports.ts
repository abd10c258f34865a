import { createServer } from "node:net";

/** A TCP port nobody listens on right now (the OS picks it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const addr = srv.address();
      const port = typeof addr === "object" && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/** `--set` overrides that move every port of a local cloud to free ones, so tests never collide. */
export async function isolatedPorts(): Promise<string[]> {
  const [bus, collector, keystone, glance, placement, compute, novnc] = await Promise.all(Array.from({ length: 7 }, freePort));
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
