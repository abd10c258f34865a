import { ClientCommand } from "../../cli/client-command.js";
import { endpointsCell } from "../../client/format.js";

export default class CatalogList extends ClientCommand<typeof CatalogList> {
  static override summary = "List services in the service catalog";

  async run(): Promise<void> {
    const ref = await this.session().authRef();
    const json = ["json", "yaml"].includes(this.flags.format);
    await this.printList(
      ["Name", "Type", "Endpoints"],
      ref.catalog.map((s) => ({ Name: s.name ?? "", Type: s.type, Endpoints: json ? (s.endpoints as never) : endpointsCell(s.endpoints) })),
    );
  }
}
