import { handleLifecycle, notifyReady } from "../../cloud/ready.js";
import { log } from "../../common/log.js";
import { RpcClient, RpcServer } from "../../common/rpc/index.js";
import { startService } from "../../common/service.js";
import { CellMappings } from "../cells/mappings.js";
import { CellBuses, RPC_VERSION } from "../cells/rpc.js";
import { dbSettings, openApiDb } from "../db/open.js";
import { registerAndHeartbeat } from "../objects/heartbeat.js";
import { ServiceClients } from "../objects/service-clients.js";
import { startBuildWatchdog } from "./build-watchdog.js";
import { ComputeTaskManager } from "./compute-task.js";
import { ConductorManager } from "./object-endpoint.js";

function argValue(flag: string): string | undefined {
  const i = process.argv.indexOf(flag);
  if (i >= 0) return process.argv[i + 1];
  return process.argv.find((a) => a.startsWith(`${flag}=`))?.slice(flag.length + 1);
}

/**
 * nova-conductor [--cell NAME]: serves topic `conductor` (3.0) on a cell's bus — cell1 (the bus of
 * [DEFAULT] transport_url) by default, where it is also the super conductor that schedules and builds;
 * with --cell, the conductor of another cell (its bus and its database for the computes' object calls).
 */
async function main(): Promise<void> {
  const cellName = argValue("--cell");
  const rt = startService(cellName ? `nova-conductor-${cellName}` : "nova-conductor");
  const { config, layout } = rt;
  const settings = dbSettings(config);
  const cells = new CellMappings(openApiDb(layout.root, settings), layout.root, settings);
  const defaultBus = config.str("DEFAULT", "transport_url");
  const cell = cellName ? cells.byName(cellName) : (cells.realCells().find((c) => c.transport_url === defaultBus) ?? cells.realCells()[0]);
  if (!cell) {
    log.error(
      cellName
        ? `no cell named '${cellName}' (see \`os manage cell_v2 list_cells\`)`
        : "no cell is mapped yet; run `os manage cell_v2 create_cell`",
    );
    process.exit(1);
  }
  const timeoutMs = config.int("DEFAULT", "rpc_response_timeout") * 1000;
  const buses = new CellBuses(timeoutMs);
  const scheduler = new RpcClient(defaultBus, { timeoutMs });
  const tasks = new ComputeTaskManager(config, cells, buses, scheduler, new ServiceClients(config, layout.root));
  const objects = new ConductorManager(cells, cell, config);
  const server = new RpcServer(cell.transport_url, "conductor", [tasks, objects], { host: rt.host, version: RPC_VERSION.conductor });
  await server.start();
  const stopBeat = registerAndHeartbeat(
    cells.db(cell),
    { host: rt.host, binary: "nova-conductor", topic: "conductor" },
    config.int("compute", "report_interval"),
  );
  const stopWatchdog = startBuildWatchdog(
    config,
    () => cells.db(cell),
    tasks,
    () => cells.apiDb,
  );
  log.info(`nova-conductor serving topic conductor for cell ${cell.name ?? cell.uuid} on ${cell.transport_url}`);
  handleLifecycle(async () => {
    stopBeat();
    stopWatchdog();
    await server.stop();
    scheduler.close();
    buses.close();
    await rt.close();
  });
  notifyReady({ service: "nova-conductor", cell: cell.name });
  process.stdout.write(`${JSON.stringify({ ready: true, service: "nova-conductor", cell: cell.name, pid: process.pid })}\n`);
}

main().catch((err) => {
  log.error(`nova-conductor failed to start: ${(err as Error)?.stack ?? err}`);
  process.exit(1);
});
