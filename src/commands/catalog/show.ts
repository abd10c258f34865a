import { Args } from "@oclif/core";
import { ClientCommand } from "../../cli/client-command.js";
import { endpointsCell } from "../../client/format.js";

export default class CatalogShow extends ClientCommand<typeof CatalogShow> {
  static override summary = "Display service catalog details";
  static override args = { service: Args.string({ required: true, description: "Service to display (type or name)" }) };

  async run(): Promise<void> {
    const ref = await this.session().authRef();
    const svc = ref.catalog.find((s) => s.name === this.args.service || s.type === this.args.service);
    if (!svc) {
      process.stderr.write(`service ${this.args.service} not found\n`);
      return;
    }
    const json = ["json", "yaml"].includes(this.flags.format);
    const data: Record<string, unknown> = { ...svc, endpoints: json ? svc.endpoints : endpointsCell(svc.endpoints) };
    delete data.links;
    await this.printOne(
      Object.fromEntries(
        Object.keys(data)
          .sort()
          .map((k) => [k, data[k] as never]),
      ),
    );
  }
}
