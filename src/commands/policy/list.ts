import { Flags } from "@oclif/core";
import { ClientCommand, props } from "../../cli/client-command.js";

export default class PolicyList extends ClientCommand<typeof PolicyList> {
  static override summary = "List policies";
  static override flags = { long: Flags.boolean({ summary: "List additional fields in output" }) };

  async run(): Promise<void> {
    const columns = this.flags.long ? ["ID", "Type", "Rules"] : ["ID", "Type"];
    await this.printList(
      columns,
      (await this.identity().list("policies")).map((p) => props(p, columns, { Rules: "blob" })),
    );
  }
}
