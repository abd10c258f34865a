import { Args, Flags } from "@oclif/core";
import { SDK_MAX } from "../../../client/compute.js";
import { ComputeCommand } from "../../../cli/compute-command.js";

const TYPES = ["novnc", "xvpvnc", "spice", "rdp", "serial", "mks"] as const;
/** Console type → remote-consoles protocol (2.6+) and the legacy action (before 2.6). */
const CONSOLE: Record<string, { type: string; protocol: string; action: string }> = {
  novnc: { type: "novnc", protocol: "vnc", action: "os-getVNCConsole" },
  xvpvnc: { type: "xvpvnc", protocol: "vnc", action: "os-getVNCConsole" },
  spice: { type: "spice-html5", protocol: "spice", action: "os-getSPICEConsole" },
  rdp: { type: "rdp-html5", protocol: "rdp", action: "os-getRDPConsole" },
  serial: { type: "serial", protocol: "serial", action: "os-getSerialConsole" },
  mks: { type: "webmks", protocol: "mks", action: "os-getMKSConsole" },
};

export default class ConsoleUrlShow extends ComputeCommand<typeof ConsoleUrlShow> {
  static override summary = "Show server's remote console URL";
  static override args = { server: Args.string({ required: true, description: "Server to show URL (name or ID)" }) };
  static override flags = Object.fromEntries(
    TYPES.map((t) => [
      t,
      Flags.boolean({ summary: `Show ${t} console URL${t === "novnc" ? " (default)" : ""}`, exclusive: TYPES.filter((x) => x !== t) }),
    ]),
  ) as Record<(typeof TYPES)[number], ReturnType<typeof Flags.boolean>>;

  async run(): Promise<void> {
    const f = this.flags as unknown as Record<string, boolean | undefined>;
    const kind = CONSOLE[TYPES.find((t) => f[t]) ?? "novnc"] as { type: string; protocol: string; action: string };
    const compute = await this.sdk(SDK_MAX.remoteConsole);
    const server = await compute.findServer(this.args.server);
    const id = String(server.id);
    let data: Record<string, unknown>;
    if (compute.atLeast("2.6"))
      data = (
        await compute.call<{ remote_console: Record<string, unknown> }>("POST", `/servers/${id}/remote-consoles`, {
          body: { remote_console: { protocol: kind.protocol, type: kind.type } },
        })
      ).remote_console;
    else data = (await compute.action<{ console: Record<string, unknown> }>(id, { [kind.action]: { type: kind.type } })).console;
    // openstacksdk's ServerRemoteConsole fields, sorted (id, links, location and name hidden).
    await this.printOne(
      compute.atLeast("2.6")
        ? { protocol: data.protocol ?? null, type: data.type ?? null, url: data.url ?? null }
        : { type: data.type ?? null, url: data.url ?? null },
    );
  }
}
