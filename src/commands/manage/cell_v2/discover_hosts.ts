import { Flags } from "@oclif/core";
import { BaseCommand } from "../../../cli/base-command.js";
import { setFlag, stateDirFlag } from "../../../cli/flags.js";
import { cellMappingsFor } from "../../../engine/compute/cells/manage.js";

export default class CellV2DiscoverHosts extends BaseCommand<typeof CellV2DiscoverHosts> {
  static override summary = "Map new compute hosts to their cells (nova-manage cell_v2 discover_hosts).";
  static override description =
    "Looks for compute nodes in each cell's database that have no host mapping yet and maps them, so the scheduler can use them.";
  static override examples = ["<%= config.bin %> manage cell_v2 discover_hosts --verbose"];
  static override flags = {
    "state-dir": stateDirFlag,
    set: setFlag,
    "cell-uuid": Flags.string({ summary: "Only look in this cell." }),
    verbose: Flags.boolean({ char: "v", summary: "Print each host as it is mapped." }),
  };

  async run(): Promise<void> {
    const { cells } = cellMappingsFor(this.flags["state-dir"], this.flags.set ?? []);
    const cellUuid = this.flags["cell-uuid"];
    if (cellUuid && !cells.list().some((c) => c.uuid === cellUuid)) this.error(`Cell with uuid ${cellUuid} was not found.`, { exit: 1 });
    const mapped = cells.discoverHosts(cellUuid);
    if (!this.flags.verbose) return;
    for (const cell of cells.realCells()) {
      if (cellUuid && cell.uuid !== cellUuid) continue;
      this.log(`Getting computes from cell '${cell.name}': ${cell.uuid}`);
      const here = mapped.filter((m) => m.cell.uuid === cell.uuid);
      for (const m of here) this.log(`Checking host mapping for compute host '${m.host}': creating host mapping`);
      this.log(
        here.length ? `Found ${here.length} unmapped computes in cell: ${cell.uuid}` : `Found 0 unmapped computes in cell: ${cell.uuid}`,
      );
    }
  }
}
