// The nova-compute process of one node:
//   node --import tsx src/engine/compute/manager/main.ts --host compute1 [--driver fake|qemu] [--state-dir DIR]
// Its logs and spans are named `nova-compute@<host>`; its RPC topic is `compute.<host>`. The supervisor
// runs one per entry of <state dir>/etc/nodes.json.
import { handleLifecycle, notifyReady } from "../../cloud/ready.js";
import { log } from "../../common/log.js";
import { stateDir } from "../../common/paths.js";
import { startService } from "../../common/service.js";
import { driverNames, resolveDriverName } from "../../../hypervisor/driver.js";
import { ComputeService } from "./compute-service.js";

function argValue(flag: string): string | undefined {
  const i = process.argv.indexOf(flag);
  if (i >= 0) return process.argv[i + 1];
  return process.argv.find((a) => a.startsWith(`${flag}=`))?.slice(flag.length + 1);
}

const HOST_RE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/;

async function main(): Promise<void> {
  const dir = stateDir(argValue("--state-dir"));
  const host = argValue("--host");
  if (host !== undefined && !HOST_RE.test(host)) {
    process.stderr.write(`nova-compute: --host '${host}' is not a valid host name (letters, digits, '.', '_', '-')\n`);
    process.exit(2);
  }
  // The node's name is its `host` option, as in nova.conf on a compute node: services and spans use it.
  if (host) process.env.POCKETSTACK_SET = [process.env.POCKETSTACK_SET, `DEFAULT.host=${host}`].filter(Boolean).join(";");
  const runtime = startService(`nova-compute@${host ?? "controller"}`, dir);
  const nodeName = runtime.config.str("DEFAULT", "host");
  const driver = resolveDriverName(argValue("--driver") ?? runtime.config.str("compute", "compute_driver"));
  if (!driverNames().includes(driver)) {
    log.error(`unknown compute driver '${driver}' (known: ${driverNames().join(", ")})`);
    process.exit(2);
  }
  const service = new ComputeService({ host: nodeName, driver, config: runtime.config, stateDir: dir });
  handleLifecycle(async () => {
    log.info("stopping gracefully");
    await service.stop();
    await runtime.close();
  });
  await service.start();
  notifyReady({ service: `nova-compute@${nodeName}`, host: nodeName, driver });
  // One line on stdout for whoever started us by hand or in a test.
  process.stdout.write(`${JSON.stringify({ ready: true, host: nodeName, driver, pid: process.pid })}\n`);
}

main().catch((err) => {
  log.error(`nova-compute failed to start: ${(err as Error)?.stack ?? err}`);
  process.exit(1);
});
