import { Args, Flags } from "@oclif/core";
import { sortedObject } from "../../client/compute.js";
import { ComputeCommand } from "../../cli/compute-command.js";

/** Nova's quota names → the openstack client's (compute and nova-network ones). */
export const COMPUTE_QUOTAS: Record<string, string> = {
  cores: "cores",
  fixed_ips: "fixed-ips",
  injected_file_content_bytes: "injected-file-size",
  injected_file_path_bytes: "injected-path-size",
  injected_files: "injected-files",
  instances: "instances",
  key_pairs: "key-pairs",
  metadata_items: "properties",
  ram: "ram",
  server_groups: "server-groups",
  server_group_members: "server-group-members",
  floating_ips: "floating-ips",
  security_group_rules: "secgroup-rules",
  security_groups: "secgroups",
};

export default class QuotaShow extends ComputeCommand<typeof QuotaShow> {
  static override summary = "Show quotas for project or class.";
  static override description =
    "Specify ``--os-compute-api-version 2.50`` or higher to see ``server-groups`` and ``server-group-members`` output for a given quota class.";
  static override args = { project: Args.string({ required: false, description: "Show quotas for this project or class (name or ID)" }) };
  static override flags = {
    class: Flags.boolean({ summary: "Show quotas for <class>", exclusive: ["default"] }),
    default: Flags.boolean({ summary: "Show default quotas for <project>" }),
  };

  async run(): Promise<void> {
    const compute = this.compute();
    let quota: Record<string, unknown>;
    let project: { id?: string; name?: string };
    if (this.flags.class) {
      const cls = this.args.project ?? "default";
      quota = (await compute.get<{ quota_class_set: Record<string, unknown> }>(`/os-quota-class-sets/${encodeURIComponent(cls)}`))
        .quota_class_set;
      project = { id: cls, name: undefined };
    } else {
      if (this.args.project) {
        const p = await this.identity().find("projects", this.args.project);
        project = { id: p.id, name: String(p.name) };
      } else {
        const ref = await this.session().authRef();
        project = { id: ref.projectId, name: ref.body.project?.name };
      }
      const path = `/os-quota-sets/${encodeURIComponent(String(project.id))}${this.flags.default ? "/defaults" : ""}`;
      quota = (await compute.get<{ quota_set: Record<string, unknown> }>(path)).quota_set;
    }
    const info: Record<string, unknown> = { ...quota };
    for (const [k, v] of Object.entries(COMPUTE_QUOTAS))
      if (k !== v && info[k] !== undefined && info[k] !== null) {
        info[v] = info[k];
        delete info[k];
      }
    if ("id" in info) {
      info.project = info.id;
      delete info.id;
      delete info.project_id;
      info.project_name = project.name ?? null;
    }
    await this.printOne(sortedObject(info));
  }
}
