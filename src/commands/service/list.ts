import { Flags } from "@oclif/core";
import { ClientCommand, props } from "../../cli/client-command.js";

export default class ServiceList extends ClientCommand<typeof ServiceList> {
  static override summary = "List services";
  static override flags = { long: Flags.boolean({ summary: "List additional fields in output" }) };

  async run(): Promise<void> {
    const columns = this.flags.long ? ["ID", "Name", "Type", "Description", "Enabled"] : ["ID", "Name", "Type"];
    await this.printList(
      columns,
      (await this.identity().list("services")).map((s) => props(s, columns)),
    );
  }
}
