import { Args, Flags } from "@oclif/core";
import { ComputeCommand } from "../../cli/compute-command.js";
import { COMPUTE_QUOTAS } from "./show.js";

const quotaFlags = Object.fromEntries(
  Object.entries(COMPUTE_QUOTAS).map(([name, flag]) => [flag, Flags.integer({ summary: `New value for the ${name} quota` })]),
) as Record<string, ReturnType<typeof Flags.integer>>;

export default class QuotaSet extends ComputeCommand<typeof QuotaSet> {
  static override summary = "Set quotas for project or class";
  static override examples = ["<%= config.bin %> quota set --cores 40 --instances 20 admin"];
  static override args = { project: Args.string({ required: true, description: "Set quotas for this project or class (name or ID)" }) };
  static override flags = {
    ...quotaFlags,
    class: Flags.boolean({ summary: "Set quotas for <class>" }),
    force: Flags.boolean({ summary: "Force quota update (only supported by compute)" }),
  };

  async run(): Promise<void> {
    const f = this.flags as unknown as Record<string, number | boolean | undefined>;
    const values: Record<string, unknown> = {};
    for (const [name, flag] of Object.entries(COMPUTE_QUOTAS)) if (f[flag] !== undefined) values[name] = f[flag];
    if (!Object.keys(values).length) return;
    const compute = this.compute();
    if (f.class) {
      await compute.call("PUT", `/os-quota-class-sets/${encodeURIComponent(this.args.project)}`, { body: { quota_class_set: values } });
      return;
    }
    if (f.force) values.force = true;
    const project = await this.identity().find("projects", this.args.project);
    await compute.call("PUT", `/os-quota-sets/${encodeURIComponent(project.id)}`, { body: { quota_set: values } });
  }
}
