import { Flags } from "@oclif/core";
import { BaseCommand } from "../../../cli/base-command.js";
import { setFlag, stateDirFlag } from "../../../cli/flags.js";
import { cellMappingsFor } from "../../../engine/compute/cells/manage.js";

export default class CellV2CreateCell extends BaseCommand<typeof CellV2CreateCell> {
  static override summary = "Create a cell mapping (nova-manage cell_v2 create_cell).";
  static override description =
    "Adds a cell with its own message bus and database (created and synced now), and prints its uuid. A new cell needs its own bus process and conductor (`nova-conductor --cell NAME`).";
  static override examples = [
    "<%= config.bin %> manage cell_v2 create_cell --name cell2 --transport-url zmq://127.0.0.1:5680 --database-connection sqlite:///nova_cell2.sqlite",
  ];
  static override flags = {
    "state-dir": stateDirFlag,
    set: setFlag,
    name: Flags.string({ summary: "Name of the cell.", required: true }),
    "transport-url": Flags.string({ summary: "Message bus of the cell (default: [DEFAULT] transport_url)." }),
    "database-connection": Flags.string({ summary: "Database of the cell (sqlite:///<file>, relative to <state dir>/db)." }),
    disabled: Flags.boolean({ summary: "Create the cell disabled (the scheduler skips it)." }),
    verbose: Flags.boolean({ summary: "Print the cell uuid only (as --verbose does in nova-manage)." }),
  };

  async run(): Promise<void> {
    const { cells, transportUrl } = cellMappingsFor(this.flags["state-dir"], this.flags.set ?? []);
    const name = this.flags.name;
    const db = this.flags["database-connection"] ?? `sqlite:///nova_${name}.sqlite`;
    if (!/^sqlite:\/\/\/.+/.test(db)) this.error(`--database-connection '${db}' is not of the form sqlite:///<file>`, { exit: 1 });
    const url = this.flags["transport-url"] ?? transportUrl;
    if (!/^zmq:\/\/[^:/]+:\d+\/?$/.test(url)) this.error(`--transport-url '${url}' is not of the form zmq://HOST:PORT`, { exit: 1 });
    let cell: ReturnType<typeof cells.createCell>;
    try {
      cell = cells.createCell(name, url, db);
    } catch (err) {
      this.error((err as Error).message, { exit: 2 });
    }
    if (this.flags.disabled) cells.apiDb.prepare("UPDATE cell_mappings SET disabled = 1 WHERE id = ?").run(cell.id);
    this.log(cell.uuid);
  }
}
