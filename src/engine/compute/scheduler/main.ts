import { handleLifecycle, notifyReady } from "../../cloud/ready.js";
import { log } from "../../common/log.js";
import { RpcServer } from "../../common/rpc/index.js";
import { startService } from "../../common/service.js";
import { CellMappings } from "../cells/mappings.js";
import { dbSettings, openApiDb } from "../db/open.js";
import { registerAndHeartbeat } from "../objects/heartbeat.js";
import { ServiceClients } from "../objects/service-clients.js";
import { SchedulerManager } from "./manager.js";

/**
 * nova-scheduler: serves topic `scheduler` (4.5) on the cell1 bus, records itself in cell1's services
 * table with a heartbeat, and maps new compute hosts into their cells every
 * [scheduler] discover_hosts_in_cells_interval seconds.
 */
async function main(): Promise<void> {
  const rt = startService("nova-scheduler");
  const { config, layout } = rt;
  const settings = dbSettings(config);
  const cells = new CellMappings(openApiDb(layout.root, settings), layout.root, settings);
  const manager = new SchedulerManager(config, cells, new ServiceClients(config, layout.root));
  const transportUrl = config.str("DEFAULT", "transport_url");
  const server = new RpcServer(transportUrl, "scheduler", manager, { host: rt.host, version: "4.5" });
  await server.start();

  const stops: Array<() => void> = [];
  const cell1 = cells.realCells()[0];
  if (cell1)
    stops.push(
      registerAndHeartbeat(
        cells.db(cell1),
        { host: rt.host, binary: "nova-scheduler", topic: "scheduler" },
        config.int("compute", "report_interval"),
      ),
    );
  else log.warning("nova-scheduler: no cell is mapped yet (run `os manage cell_v2 create_cell`); not registering the service");

  const interval = config.int("scheduler", "discover_hosts_in_cells_interval");
  if (interval > 0) {
    const timer = setInterval(() => {
      try {
        for (const m of cells.discoverHosts()) log.info(`discover_hosts: mapped host ${m.host} to cell ${m.cell.name ?? m.cell.uuid}`);
      } catch (err) {
        log.warning(`discover_hosts failed: ${(err as Error).message}`);
      }
    }, interval * 1000);
    timer.unref();
    stops.push(() => clearInterval(timer));
  }
  log.info(`nova-scheduler serving topic scheduler on ${transportUrl}`);
  handleLifecycle(async () => {
    for (const s of stops) s();
    await server.stop();
    await rt.close();
  });
  notifyReady({ service: "nova-scheduler" });
  process.stdout.write(`${JSON.stringify({ ready: true, service: "nova-scheduler", pid: process.pid })}\n`);
}

main().catch((err) => {
  log.error(`nova-scheduler failed to start: ${(err as Error)?.stack ?? err}`);
  process.exit(1);
});
