import { Flags } from "@oclif/core";
import { type Resource, SDK_MAX } from "../../client/compute.js";
import { ComputeCommand, needVersion } from "../../cli/compute-command.js";

export default class KeypairList extends ComputeCommand<typeof KeypairList> {
  static override summary = "List key fingerprints";
  static override flags = {
    user: Flags.string({
      summary: "Show keypairs for another user (admin only) (name or ID). Requires ``--os-compute-api-version`` 2.10 or greater.",
      exclusive: ["project"],
    }),
    project: Flags.string({
      summary:
        "Show keypairs for all users associated with project (admin only) (name or ID). Requires ``--os-compute-api-version`` 2.10 or greater.",
    }),
    marker: Flags.string({ summary: "The last keypair ID of the previous page" }),
    limit: Flags.integer({ summary: "Maximum number of keypairs to display" }),
  };

  async run(): Promise<void> {
    const f = this.flags;
    const compute = await this.sdk(SDK_MAX.keypair);
    if (f.marker && !compute.atLeast("2.35")) throw needVersion("2.35", "--marker option");
    if (f.limit && !compute.atLeast("2.35")) throw needVersion("2.35", "--limit option");
    const list = async (userId?: string) =>
      (
        (
          await compute.get<{ keypairs: Array<{ keypair: Resource }> }>("/os-keypairs", {
            user_id: userId,
            marker: f.marker,
            limit: f.limit,
          })
        ).keypairs ?? []
      ).map((k) => k.keypair);
    let data: Resource[];
    if (f.project) {
      if (!compute.atLeast("2.10")) throw needVersion("2.10", "--project option");
      if (f.marker) throw new Error("--project is not compatible with --marker");
      const project = await this.identity().find("projects", f.project);
      const assignments = await this.identity().list("role_assignments", { "scope.project.id": project.id }, "role_assignments");
      const users = [...new Set(assignments.map((a) => a.user?.id).filter(Boolean))] as string[];
      data = [];
      for (const u of users) data.push(...(await list(u)));
    } else if (f.user) {
      if (!compute.atLeast("2.10")) throw needVersion("2.10", "--user option");
      data = await list((await this.identity().find("users", f.user)).id);
    } else data = await list();
    const cols = ["Name", "Fingerprint", ...(compute.atLeast("2.2") ? ["Type"] : [])];
    await this.printList(
      cols,
      data.map((k) => ({ Name: k.name, Fingerprint: k.fingerprint, Type: k.type })),
    );
  }
}
