import { BaseCommand } from "../../../cli/base-command.js";
import { setFlag, stateDirFlag } from "../../../cli/flags.js";
import { cellMappingsFor } from "../../../engine/compute/cells/manage.js";

export default class CellV2ListCells extends BaseCommand<typeof CellV2ListCells> {
  static override summary = "List the cell mappings (nova-manage cell_v2 list_cells).";
  static override examples = ["<%= config.bin %> manage cell_v2 list_cells"];
  static override flags = { "state-dir": stateDirFlag, set: setFlag };

  async run(): Promise<void> {
    const { cells } = cellMappingsFor(this.flags["state-dir"], this.flags.set ?? []);
    const rows = cells.list().map((c) => ({
      Name: c.name ?? "",
      UUID: c.uuid,
      "Transport URL": c.transport_url,
      "Database Connection": c.database_connection,
      Disabled: c.disabled ? "True" : "False",
    }));
    await this.printList(["Name", "UUID", "Transport URL", "Database Connection", "Disabled"], rows);
  }
}
