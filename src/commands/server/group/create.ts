import { Args, Flags } from "@oclif/core";
import { type Resource, SDK_MAX, sdkServerGroupView } from "../../../client/compute.js";
import { ComputeCommand, keyValues, needVersion } from "../../../cli/compute-command.js";

export default class ServerGroupCreate extends ComputeCommand<typeof ServerGroupCreate> {
  static override summary = "Create a new server group.";
  static override args = { name: Args.string({ required: true, description: "New server group name" }) };
  static override flags = {
    policy: Flags.option({
      options: ["affinity", "anti-affinity", "soft-affinity", "soft-anti-affinity"] as const,
      default: "affinity" as const,
      summary: "Add a policy to <name> (default: affinity)",
    })(),
    rule: Flags.string({
      multiple: true,
      multipleNonGreedy: true,
      summary: "A rule for the policy. Currently, only the 'max_server_per_host' rule is supported for the 'anti-affinity' policy.",
    }),
  };

  async run(): Promise<void> {
    const f = this.flags;
    const compute = await this.sdk(SDK_MAX.serverGroup);
    if (f.policy.startsWith("soft-") && !compute.atLeast("2.15"))
      throw new Error(`--os-compute-api-version 2.15 or greater is required to support the ${f.policy} policy`);
    const rules = keyValues(f.rule, "--rule");
    if (Object.keys(rules).length && !compute.atLeast("2.64")) throw needVersion("2.64", "--rule option");
    const group: Record<string, unknown> = { name: this.args.name };
    if (compute.atLeast("2.64")) {
      group.policy = f.policy;
      if (Object.keys(rules).length)
        group.rules = Object.fromEntries(Object.entries(rules).map(([k, v]) => [k, /^\d+$/.test(v) ? Number(v) : v]));
    } else group.policies = [f.policy];
    const created = (await compute.call<{ server_group: Resource }>("POST", "/os-server-groups", { body: { server_group: group } }))
      .server_group;
    await this.printOne(sdkServerGroupView(created, compute.microversion));
  }
}
