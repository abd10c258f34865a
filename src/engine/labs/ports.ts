import { type Server, createServer } from "node:net";

/**
 * Free TCP ports for a lab that starts servers of its own (the tls lab's second cloud): the OS picks
 * each one (listen on port 0), so a lab never collides with the learner's cloud or another run.
 */
function listenAnywhere(): Promise<Server> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => resolve(srv));
  });
}

/** `ports: [keystone, bus]` → `{ "port.keystone": "41234", "port.bus": "40321" }`, all distinct. */
export async function pickPorts(names: string[]): Promise<Record<string, string>> {
  // Every listener stays open until all ports are known, so the OS cannot hand out one port twice.
  const servers = await Promise.all(names.map(listenAnywhere));
  const ports = servers.map((s) => {
    const addr = s.address();
    return typeof addr === "object" && addr ? addr.port : 0;
  });
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  return Object.fromEntries(names.map((n, i) => [`port.${n}`, String(ports[i])]));
}
