// Several compute nodes in one worker process ([compute] nodes_per_process > 1), as Nova's scale tests
// run many fake computes: the node list is cut, in order and per driver, into groups of N; each group
// is one supervisor unit. A group's unit is named after its hosts: `nova-compute@compute1-25` for a run
// of numbered hosts with one prefix, else `nova-compute@<first>+<others>`; a group of one keeps the
// single-node name `nova-compute@<host>`.
import type { NodeEntry } from "./node-list.js";

export interface NodeGroup {
  /** The unit's name, `nova-compute@…`. */
  unit: string;
  driver: string;
  hosts: string[];
}

/** Cut the node list into worker groups of at most `perProcess` nodes with the same driver, list order kept. */
export function groupNodes(nodes: NodeEntry[], perProcess: number): NodeGroup[] {
  const n = Math.max(1, Math.floor(perProcess));
  const byDriver = new Map<string, string[]>();
  for (const node of nodes) {
    const hosts = byDriver.get(node.driver) ?? [];
    hosts.push(node.host);
    byDriver.set(node.driver, hosts);
  }
  const groups: NodeGroup[] = [];
  for (const [driver, hosts] of byDriver) {
    for (let i = 0; i < hosts.length; i += n) {
      const chunk = hosts.slice(i, i + n);
      groups.push({ unit: `nova-compute@${groupLabel(chunk)}`, driver, hosts: chunk });
    }
  }
  return groups;
}

/** compute1..compute25 → `compute1-25`; one host → its name; otherwise `<first>+<count-1>`. */
export function groupLabel(hosts: string[]): string {
  const first = hosts[0] ?? "";
  if (hosts.length === 1) return first;
  const m = /^(.*?)(\d+)$/.exec(first);
  if (m) {
    const [, prefix, digits] = m as unknown as [string, string, string];
    const start = Number(digits);
    const consecutive = hosts.every((h, i) => h === `${prefix}${start + i}`);
    if (consecutive) return `${first}-${start + hosts.length - 1}`;
  }
  return `${first}+${hosts.length - 1}`;
}

/** The unit that runs `host`, given the node list and nodes_per_process. */
export function unitOfHost(nodes: NodeEntry[], perProcess: number, host: string): string | undefined {
  return groupNodes(nodes, perProcess).find((g) => g.hosts.includes(host))?.unit;
}

/** Whether the unit named `unit` runs `host`: its own unit, or a worker whose range label covers it (compute1-25). */
export function unitCoversHost(unit: string, host: string): boolean {
  if (unit === `nova-compute@${host}`) return true;
  const range = /^nova-compute@(.*?)(\d+)-(\d+)$/.exec(unit);
  const h = /^(.*?)(\d+)$/.exec(host);
  if (!range || !h || range[1] !== h[1]) return false;
  const n = Number(h[2]);
  return String(n) === h[2] && n >= Number(range[2]) && n <= Number(range[3]);
}
