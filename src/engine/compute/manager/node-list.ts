// The node list of the local cloud, <state dir>/etc/nodes.json: `[{ "host": "compute1", "driver": "fake" }]`.
// `os node add` writes it; the supervisor runs one `nova-compute@<host>` unit per entry
// (`main.ts --host <host> --driver <driver>`).
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import type { Config } from "../../common/config/config.js";
import { resolveDriverName } from "../../../hypervisor/driver.js";

export interface NodeEntry {
  host: string;
  driver: string;
}

export const NODE_HOST_RE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/;
export const NODE_DRIVERS = ["fake", "qemu"] as const;

export class NodeListError extends Error {
  override name = "NodeListError";
}

export const nodesFile = (stateDir: string) => join(stateDir, "etc", "nodes.json");

/** The nodes `os cloud up` starts when nobody listed any: compute1..N ([compute] computes), one driver. */
export function defaultNodes(config: Config): NodeEntry[] {
  const driver = resolveDriverName(config.str("compute", "compute_driver"));
  return Array.from({ length: config.int("compute", "computes") }, (_, i) => ({ host: `compute${i + 1}`, driver }));
}

export function readNodes(stateDir: string): NodeEntry[] | undefined {
  const file = nodesFile(stateDir);
  if (!existsSync(file)) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, "utf8"));
  } catch (err) {
    throw new NodeListError(`${file} is not valid JSON: ${(err as Error).message}`);
  }
  if (!Array.isArray(parsed)) throw new NodeListError(`${file} must hold a JSON list of {host, driver}`);
  return parsed.map((n, i) => validateNode(n, `${file} entry ${i}`));
}

export function validateNode(n: unknown, where: string): NodeEntry {
  const e = n as Partial<NodeEntry> | null;
  if (!e || typeof e.host !== "string" || !NODE_HOST_RE.test(e.host)) {
    throw new NodeListError(`${where}: host '${e?.host}' is not a valid host name (letters, digits, '.', '_', '-'; at most 63)`);
  }
  if (typeof e.driver !== "string" || !(NODE_DRIVERS as readonly string[]).includes(e.driver)) {
    throw new NodeListError(`${where}: driver '${e.driver}' is not one of ${NODE_DRIVERS.join(", ")}`);
  }
  return { host: e.host, driver: e.driver };
}

export function writeNodes(stateDir: string, nodes: NodeEntry[]): void {
  const file = nodesFile(stateDir);
  mkdirSync(dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(nodes, null, 2)}\n`);
  renameSync(tmp, file);
}

/** Add one node (the list starts from the defaults the first time), refusing a duplicate host. */
export function addNode(stateDir: string, config: Config, node: NodeEntry): NodeEntry[] {
  const entry = validateNode(node, "node");
  const nodes = readNodes(stateDir) ?? defaultNodes(config);
  if (nodes.some((n) => n.host === entry.host)) throw new NodeListError(`node ${entry.host} already exists`);
  nodes.push(entry);
  writeNodes(stateDir, nodes);
  return nodes;
}

/**
 * Add `count` nodes named <prefix><k>, numbered after the highest <prefix><k> already listed (one write,
 * so the supervisor starts them in one go): `os node add compute --count 98` after compute1..2.
 */
export function addNodes(stateDir: string, config: Config, prefix: string, count: number, driver: string): NodeEntry[] {
  if (!Number.isInteger(count) || count < 1 || count > 10_000) throw new NodeListError(`count ${count} must be an integer from 1 to 10000`);
  const nodes = readNodes(stateDir) ?? defaultNodes(config);
  const re = new RegExp(`^${prefix.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}(\\d+)$`);
  let next = 1 + Math.max(0, ...nodes.map((n) => Number(re.exec(n.host)?.[1] ?? 0)));
  const added: NodeEntry[] = [];
  for (let i = 0; i < count; i++) {
    let host = `${prefix}${next++}`;
    while (nodes.some((n) => n.host === host)) host = `${prefix}${next++}`;
    const entry = validateNode({ host, driver }, "node");
    nodes.push(entry);
    added.push(entry);
  }
  writeNodes(stateDir, nodes);
  return added;
}
