import { freePorts } from "../common/free-ports.js";

/**
 * Free TCP ports for a lab that starts servers of its own (the tls lab's second cloud), so a lab never
 * collides with the learner's cloud or another run.
 * `ports: [keystone, bus]` → `{ "port.keystone": "41234", "port.bus": "40321" }`, all distinct.
 */
export async function pickPorts(names: string[]): Promise<Record<string, string>> {
  const ports = await freePorts(names.length);
  return Object.fromEntries(names.map((n, i) => [`port.${n}`, String(ports[i])]));
}
