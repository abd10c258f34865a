import { Args, Flags } from "@oclif/core";
import { SDK_MAX } from "../../../client/compute.js";
import { ComputeCommand } from "../../../cli/compute-command.js";

export default class ConsoleLogShow extends ComputeCommand<typeof ConsoleLogShow> {
  static override summary = "Show server's console output";
  static override args = { server: Args.string({ required: true, description: "Server to show console log (name or ID)" }) };
  static override flags = {
    lines: Flags.integer({ min: 0, summary: "Number of lines to display from the end of the log (default=all)" }),
  };

  async run(): Promise<void> {
    const compute = await this.sdk(SDK_MAX.server);
    const server = await compute.findServer(this.args.server);
    const body = await compute.action<{ output?: string }>(String(server.id), {
      "os-getConsoleOutput": this.flags.lines === undefined ? {} : { length: this.flags.lines },
    });
    let data = body?.output ?? "";
    if (data && !data.endsWith("\n")) data += "\n";
    process.stdout.write(data);
  }
}
