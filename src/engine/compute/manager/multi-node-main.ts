// A nova-compute worker process hosting several compute nodes ([compute] nodes_per_process > 1):
//   node --import tsx src/engine/compute/manager/multi-node-main.ts --hosts compute1,compute2 [--driver fake|qemu]
// Each node is a whole ComputeService of its own — its service row, its RPC server on `compute.<host>`,
// its heartbeat, its Placement provider, its periodic tasks — only the process (and its ~60 MiB of
// Node runtime) is shared. The supervisor runs one such unit per group of nodes (multi-node.ts).
import { handleLifecycle, notifyReady } from "../../cloud/ready.js";
import { log } from "../../common/log.js";
import { stateDir } from "../../common/paths.js";
import { startService } from "../../common/service.js";
import { driverNames, resolveDriverName } from "../../../hypervisor/driver.js";
import { ComputeService } from "./compute-service.js";
import { groupLabel } from "./multi-node.js";
import { NODE_HOST_RE } from "./node-list.js";

function argValue(flag: string): string | undefined {
  const i = process.argv.indexOf(flag);
  if (i >= 0) return process.argv[i + 1];
  return process.argv.find((a) => a.startsWith(`${flag}=`))?.slice(flag.length + 1);
}

async function main(): Promise<void> {
  const dir = stateDir(argValue("--state-dir"));
  const hosts = (argValue("--hosts") ?? "").split(",").filter(Boolean);
  if (hosts.length === 0) {
    process.stderr.write("nova-compute: --hosts h1,h2,… is required\n");
    process.exit(2);
  }
  const bad = hosts.find((h) => !NODE_HOST_RE.test(h));
  if (bad !== undefined) {
    process.stderr.write(`nova-compute: --hosts: '${bad}' is not a valid host name (letters, digits, '.', '_', '-')\n`);
    process.exit(2);
  }
  if (new Set(hosts).size !== hosts.length) {
    process.stderr.write("nova-compute: --hosts lists a host twice\n");
    process.exit(2);
  }
  const unit = `nova-compute@${groupLabel(hosts)}`;
  const runtime = startService(unit, dir);
  const driver = resolveDriverName(argValue("--driver") ?? runtime.config.str("compute", "compute_driver"));
  if (!driverNames().includes(driver)) {
    log.error(`unknown compute driver '${driver}' (known: ${driverNames().join(", ")})`);
    process.exit(2);
  }
  const services = hosts.map((host) => new ComputeService({ host, driver, config: runtime.config, stateDir: dir }));
  handleLifecycle(async () => {
    log.info(`stopping ${services.length} nodes gracefully`);
    await Promise.all(services.map((s) => s.stop().catch((err) => log.error(`${s.host}: stop failed: ${(err as Error).message}`))));
    await runtime.close();
  });
  const t0 = performance.now();
  // Every node of the worker starts at once: each step is a round trip to the conductor or Placement,
  // so the nodes' waits overlap instead of adding up.
  await Promise.all(services.map((s) => s.start()));
  log.info(`${services.length} nodes up in ${((performance.now() - t0) / 1000).toFixed(1)} s: ${hosts.join(", ")}`);
  notifyReady({ service: unit, hosts, driver });
  process.stdout.write(`${JSON.stringify({ ready: true, hosts, driver, pid: process.pid })}\n`);
}

main().catch((err) => {
  log.error(`nova-compute worker failed to start: ${(err as Error)?.stack ?? err}`);
  process.exit(1);
});
