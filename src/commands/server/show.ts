import { Args, Flags } from "@oclif/core";
import { dictColumn, prepServerDetail, sortedObject } from "../../client/compute.js";
import { ComputeCommand, needVersion } from "../../cli/compute-command.js";

export default class ServerShow extends ComputeCommand<typeof ServerShow> {
  static override summary = "Show server details.";
  static override description =
    "Specify ``--os-compute-api-version 2.47`` or higher to see the embedded flavor information for the server.";
  static override args = { server: Args.string({ required: true, description: "Server (name or ID)" }) };
  static override flags = {
    diagnostics: Flags.boolean({ summary: "Display server diagnostics information", exclusive: ["topology"] }),
    topology: Flags.boolean({
      summary: "Include topology information in the output (supported by --os-compute-api-version 2.78 or above)",
    }),
  };

  async run(): Promise<void> {
    const compute = this.compute();
    const server = await compute.findServer(this.args.server);
    const id = String(server.id);
    if (this.flags.diagnostics) {
      const data = await compute.get<Record<string, unknown>>(`/servers/${id}/diagnostics`);
      await this.printOne(sortedObject(data ?? {}));
      return;
    }
    if (this.flags.topology && !compute.atLeast("2.78")) throw needVersion("2.78", "--topology option");
    const detail = await prepServerDetail(compute, server);
    if (this.flags.topology) detail.topology = dictColumn(await compute.get(`/servers/${id}/topology`));
    await this.printOne(sortedObject(detail));
  }
}
