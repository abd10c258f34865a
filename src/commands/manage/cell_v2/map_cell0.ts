import { Flags } from "@oclif/core";
import { BaseCommand } from "../../../cli/base-command.js";
import { setFlag, stateDirFlag } from "../../../cli/flags.js";
import { cellMappingsFor } from "../../../engine/compute/cells/manage.js";

export default class CellV2MapCell0 extends BaseCommand<typeof CellV2MapCell0> {
  static override summary = "Create the cell0 mapping (nova-manage cell_v2 map_cell0).";
  static override description =
    "Maps cell0, the cell that holds instances that could not be scheduled, and syncs its database. Does nothing if cell0 is mapped.";
  static override examples = ["<%= config.bin %> manage cell_v2 map_cell0"];
  static override flags = {
    "state-dir": stateDirFlag,
    set: setFlag,
    "database-connection": Flags.string({
      summary: "Database of cell0 (sqlite:///<file>, relative to <state dir>/db).",
      default: "sqlite:///nova_cell0.sqlite",
    }),
  };

  async run(): Promise<void> {
    const { cells } = cellMappingsFor(this.flags["state-dir"], this.flags.set ?? []);
    const { cell, created } = cells.mapCell0(this.flags["database-connection"]);
    this.log(created ? `Cell0 is mapped (uuid ${cell.uuid}).` : "Cell0 is already setup");
  }
}
