import { Flags } from "@oclif/core";
import { ClientCommand, props } from "../../cli/client-command.js";

export default class DomainList extends ClientCommand<typeof DomainList> {
  static override summary = "List domains";
  static override flags = {
    name: Flags.string({ summary: "The domain name" }),
    enabled: Flags.boolean({ summary: "The domains that are enabled will be returned" }),
  };

  async run(): Promise<void> {
    const columns = ["ID", "Name", "Enabled", "Description"];
    const data = await this.identity().list("domains", { name: this.flags.name, enabled: this.flags.enabled ? "True" : undefined });
    await this.printList(
      columns,
      data.map((d) => props(d, columns)),
    );
  }
}
