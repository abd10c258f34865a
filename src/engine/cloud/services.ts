import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { Config } from "../common/config/config.js";
import { groupNodes } from "../compute/manager/multi-node.js";

/**
 * The units `os cloud up` runs, in start order (like systemd units with After=). Each is its own OS
 * process; `entry` is the module path under src/ (…​.ts) or dist/ (…​.js), without extension.
 */
export interface ServiceSpec {
  name: string;
  description: string;
  entry: string;
  /** HTTP port the service answers on (health check: GET / answers < 500). */
  port?: number;
  /** TCP port a non-HTTP service listens on (health check: the port accepts a connection). */
  tcpPort?: number;
  /** A message bus: health check is a broker ping over ZeroMQ at this transport URL. */
  transportUrl?: string;
  /** Extra argv for the entry (a compute node's --host). */
  args?: string[];
  /**
   * Units (earlier in the list) this one starts after, once they are ready (systemd's After=); the
   * others start at the same time. Services only call each other at request time, so only the compute
   * nodes wait: they register with the conductor and report to Placement as the service user as they start.
   */
  after?: string[];
}

/** What a compute node needs running before it starts: Keystone (its service user), Placement, the conductor. */
export const COMPUTE_AFTER = ["keystone", "placement", "nova-conductor"];

function portOf(url: string): number | undefined {
  const m = /:(\d+)\/?$/.exec(url);
  return m ? Number(m[1]) : undefined;
}

/**
 * The nova-compute units of the node list (etc/nodes.json, else compute1..N of [compute] computes): one
 * process per node by default; with [compute] nodes_per_process = N, one worker per group of N nodes.
 */
export function computeUnits(cfg: Config, nodes: Array<{ host: string; driver: string }>): ServiceSpec[] {
  const perProcess = cfg.int("compute", "nodes_per_process");
  return groupNodes(nodes, perProcess).map((g) =>
    g.hosts.length === 1 && perProcess === 1
      ? {
          name: g.unit,
          description: `Compute node ${g.hosts[0]} (${g.driver} driver)`,
          entry: "engine/compute/manager/main",
          args: ["--host", g.hosts[0] as string, "--driver", g.driver],
          after: COMPUTE_AFTER,
        }
      : {
          name: g.unit,
          description: `Compute nodes ${g.hosts.length === 1 ? g.hosts[0] : `${g.hosts[0]}…${g.hosts.at(-1)} (${g.hosts.length})`} (${g.driver} driver)`,
          entry: "engine/compute/manager/multi-node-main",
          args: ["--hosts", g.hosts.join(","), "--driver", g.driver],
          after: COMPUTE_AFTER,
        },
  );
}

export function cloudServices(cfg: Config, nodes: Array<{ host: string; driver: string }> = []): ServiceSpec[] {
  const services: ServiceSpec[] = [
    {
      name: "bus-cell1",
      description: "ZeroMQ message broker of cell1",
      entry: "engine/common/rpc/broker-main",
      tcpPort: portOf(cfg.str("DEFAULT", "transport_url")),
      transportUrl: cfg.str("DEFAULT", "transport_url"),
    },
  ];
  if (cfg.bool("trace", "enabled"))
    services.push({
      name: "trace-collector",
      description: "Span collector (trace database)",
      entry: "engine/common/trace/collector-main",
      tcpPort: portOf(cfg.str("trace", "collector_url")),
    });
  services.push(
    { name: "keystone", description: "Identity API v3", entry: "engine/identity/main", port: cfg.int("api", "keystone_port") },
    { name: "glance", description: "Image API v2", entry: "engine/image/main", port: cfg.int("api", "glance_port") },
    { name: "placement", description: "Placement API", entry: "engine/placement/main", port: cfg.int("api", "placement_port") },
  );
  services.push(
    // The RPC services register their topics with the cell's broker as they start.
    { name: "nova-conductor", description: "Nova conductor (cell1)", entry: "engine/compute/conductor/main", after: ["bus-cell1"] },
    { name: "nova-scheduler", description: "Nova scheduler", entry: "engine/compute/scheduler/main", after: ["bus-cell1"] },
    {
      name: "nova-api",
      description: "Compute API v2.1",
      entry: "engine/compute/api/main",
      port: cfg.int("api", "compute_port"),
      after: ["bus-cell1"],
    },
    ...computeUnits(cfg, nodes),
  );
  if (cfg.bool("vnc", "enabled"))
    services.push({
      name: "nova-novncproxy",
      description: "noVNC console proxy",
      entry: "engine/console/main",
      port: cfg.int("vnc", "novncproxy_port"),
    });
  return services;
}

// The package root's src/ or dist/: whichever this module was loaded from.
const codeRoot = fileURLToPath(new URL("../../", import.meta.url));
const fromSource = import.meta.url.endsWith(".ts");

/** The command line that runs a service's entry module (tsx when running from source). */
/**
 * Node flags of every service process.
 * --expose-gc: `kill -USR2` makes a service report its memory after a full collection (common/memory-report.ts).
 * --max-semi-space-size=4: V8 grows its young generation under steady load up to 16 MB per semi-space,
 * and keeps it: a service holding ~12 MB of live objects went from 75 to 115 MB resident over a 4-minute
 * soak. Capped at 4 MB the same services stay flat (75–80 MB) with the same latency; a small cloud has
 * a dozen such processes, a 100-node one more.
 */
const SERVICE_NODE_FLAGS = ["--expose-gc", "--max-semi-space-size=4"];

export function entryCommand(entry: string): { args: string[]; file: string } {
  const file = `${codeRoot}${entry}${fromSource ? ".ts" : ".js"}`;
  // tsx by absolute URL: `os cloud up` may run from any folder (a lab's scratch dir), where a bare "tsx" does not resolve.
  return { file, args: fromSource ? [...SERVICE_NODE_FLAGS, "--import", import.meta.resolve("tsx"), file] : [...SERVICE_NODE_FLAGS, file] };
}

/** The entry files of `specs` that are not there (a missing or partial build): the supervisor refuses to start without them. */
export function missingEntries(specs: ServiceSpec[]): string[] {
  return [...new Set(specs.map((s) => entryCommand(s.entry).file))].filter((file) => !existsSync(file));
}
