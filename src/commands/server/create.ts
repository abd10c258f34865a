import { readFileSync } from "node:fs";
import { Args, Flags } from "@oclif/core";
import { type Resource, prepServerDetail } from "../../client/compute.js";
import { ComputeCommand, keyValues, needVersion, requireDescriptionSupport } from "../../cli/compute-command.js";

export default class ServerCreate extends ComputeCommand<typeof ServerCreate> {
  static override summary = "Create a new server";
  static override examples = [
    "<%= config.bin %> server create --flavor m1.tiny --image cirros --wait vm1",
    "<%= config.bin %> server create --flavor m1.tiny --image cirros --key-name mykey --property role=web --min 2 --max 2 web",
  ];
  static override args = { "server-name": Args.string({ required: true, description: "New server name" }) };
  static override flags = {
    flavor: Flags.string({ required: true, summary: "Create server with this flavor (name or ID)" }),
    image: Flags.string({ summary: "Create server boot disk from this image (name or ID)" }),
    volume: Flags.string({ summary: "Create server using this volume as the boot disk (name or ID)" }),
    "security-group": Flags.string({
      multiple: true,
      multipleNonGreedy: true,
      summary: "Security group to assign to this server (name or ID) (repeat option to set multiple groups)",
    }),
    "key-name": Flags.string({ summary: "Keypair to inject into this server" }),
    property: Flags.string({
      multiple: true,
      multipleNonGreedy: true,
      summary: "Set a property on this server (repeat option to set multiple values)",
    }),
    file: Flags.string({
      multiple: true,
      multipleNonGreedy: true,
      summary: "File(s) to inject into image before boot (repeat option to set multiple files): <dest-filename=source-filename>",
    }),
    "user-data": Flags.string({ summary: "User data file to serve from the metadata server" }),
    description: Flags.string({ summary: "Set description for the server (supported by --os-compute-api-version 2.19 or above)" }),
    "availability-zone": Flags.string({ summary: "Select an availability zone for the server." }),
    host: Flags.string({ summary: "Requested host to create servers. (supported by --os-compute-api-version 2.74 or above)" }),
    "hypervisor-hostname": Flags.string({
      summary: "Requested hypervisor hostname to create servers. (supported by --os-compute-api-version 2.74 or above)",
    }),
    hint: Flags.string({ multiple: true, multipleNonGreedy: true, summary: "Hints for the scheduler (optional extension): <key=value>" }),
    nic: Flags.string({
      multiple: true,
      multipleNonGreedy: true,
      summary: "Create a NIC on the server: 'auto' or 'none' (no networking service here)",
    }),
    "config-drive": Flags.boolean({ summary: "Enable config drive.", allowNo: true }),
    min: Flags.integer({ default: 1, summary: "Minimum number of servers to launch (default=1)" }),
    max: Flags.integer({ default: 1, summary: "Maximum number of servers to launch (default=1)" }),
    password: Flags.string({ summary: "Set the password to this server." }),
    tag: Flags.string({
      multiple: true,
      multipleNonGreedy: true,
      summary: "Tags for the server. (supported by --os-compute-api-version 2.52 or above)",
    }),
    wait: Flags.boolean({ summary: "Wait for build to complete" }),
    "wait-for": Flags.option({
      options: ["active", "login"] as const,
      summary: "With --wait: 'active' (default) or 'login' (also wait for a login prompt on the console)",
    })(),
  };

  async run(): Promise<void> {
    const f = this.flags;
    const compute = this.compute();
    if (!f.image && !f.volume) throw new Error("one of the arguments --image --volume is required");
    if (f.image && f.volume) throw new Error("argument --volume: not allowed with argument --image");
    if (f.volume) throw new Error("Booting from a volume needs the Block Storage service, which this cloud does not run");
    if (f.min > f.max) throw new Error("min instances should be <= max instances");
    if (f.min < 1) throw new Error("min instances should be > 0");
    if (f.max < 1) throw new Error("max instances should be > 0");
    if (f.description) requireDescriptionSupport(compute);
    if (f.file?.length && compute.atLeast("2.57"))
      throw new Error(
        "Personality files are deprecated and are not supported for --os-compute-api-version greater than 2.56; use user data instead",
      );
    if (f.tag?.length && !compute.atLeast("2.52")) throw needVersion("2.52", "--tag option");
    if (f.host && !compute.atLeast("2.74")) throw needVersion("2.74", "--host option");
    if (f["hypervisor-hostname"] && !compute.atLeast("2.74")) throw needVersion("2.74", "--hypervisor-hostname option");

    const image = await compute.findImage(f.image as string);
    const flavor = await compute.findFlavor(f.flavor);
    const server: Record<string, unknown> = {
      name: this.args["server-name"],
      imageRef: image.id,
      flavorRef: flavor.id,
      min_count: f.min,
      max_count: f.max,
    };
    const meta = keyValues(f.property);
    if (Object.keys(meta).length) server.metadata = meta;
    if (f["key-name"]) server.key_name = f["key-name"];
    if (f["user-data"]) {
      try {
        server.user_data = readFileSync(f["user-data"]).toString("base64");
      } catch (e) {
        throw new Error(`Can't open '${f["user-data"]}': ${(e as Error).message}`);
      }
    }
    if (f.file?.length)
      server.personality = f.file.map((spec) => {
        const [dst, src] = spec.split("=", 2);
        if (!dst || !src) throw new Error(`Expected '<dest-filename=source-filename>', but got: ${spec}`);
        try {
          return { path: dst, contents: readFileSync(src).toString("base64") };
        } catch (e) {
          throw new Error(`Can't open '${src}': ${(e as Error).message}`);
        }
      });
    if (f["availability-zone"]) server.availability_zone = f["availability-zone"];
    if (f["security-group"]?.length) server.security_groups = f["security-group"].map((name) => ({ name }));
    if (f["config-drive"]) server.config_drive = true;
    if (f.password) server.adminPass = f.password;
    if (f.description) server.description = f.description;
    if (f.tag?.length) server.tags = f.tag;
    if (f.host) server.host = f.host;
    if (f["hypervisor-hostname"]) server.hypervisor_hostname = f["hypervisor-hostname"];
    const nics = f.nic ?? [];
    if (nics.some((n) => n !== "auto" && n !== "none"))
      throw new Error("Only --nic auto or --nic none are available: this cloud has no networking service");
    if (nics.length) {
      if (!compute.atLeast("2.37")) throw needVersion("2.37", "--nic auto/none option");
      server.networks = nics[0];
    } else if (compute.atLeast("2.37")) server.networks = "auto";
    const hints: Record<string, string | string[]> = {};
    for (const [k, v] of Object.entries(groupValues(f.hint))) hints[k] = v.length === 1 ? (v[0] as string) : v;
    const body: Record<string, unknown> = { server };
    if (Object.keys(hints).length) body["os:scheduler_hints"] = hints;

    const created = (await compute.call<{ server: Resource }>("POST", "/servers", { body })).server;
    if (f.wait) {
      const { ok } = await compute.waitForStatus(String(created.id), { onPoll: (s) => this.progress(s) });
      process.stderr.write("\n");
      if (!ok) {
        process.stderr.write(`Error creating server: ${this.args["server-name"]}\n`);
        this.exit(1);
      }
      if (f["wait-for"] === "login") {
        process.stderr.write("Waiting for a login prompt on the console…\n");
        if (!(await compute.waitForConsole(String(created.id), /login:/)))
          throw new Error("The server's console never showed a login prompt");
      }
    }
    // osc merges the create answer (adminPass) with a fresh GET of the server.
    const fresh = await compute.getServer(String(created.id));
    await this.printOne(await prepServerDetail(compute, { ...created, ...fresh }));
  }
}

/** parseractions.MultiKeyValueAction-ish: key=value pairs where a key may repeat. */
function groupValues(items: string[] | undefined): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const item of items ?? []) {
    const i = item.indexOf("=");
    if (i < 0) throw new Error(`Expected 'key=value' type, but got: ${item}`);
    const k = item.slice(0, i);
    out[k] = [...(out[k] ?? []), item.slice(i + 1)];
  }
  return out;
}
