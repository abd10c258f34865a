import { Args, Flags } from "@oclif/core";
import { ClientCommand } from "../../cli/client-command.js";
import { userOptionFlags, userOptions } from "./create.js";

export default class UserSet extends ClientCommand<typeof UserSet> {
  static override summary = "Set user properties";
  static override args = { user: Args.string({ required: true, description: "User to modify (name or ID)" }) };
  static override flags = {
    name: Flags.string({ summary: "Set user name" }),
    domain: Flags.string({
      summary: "Domain the user belongs to (name or ID). This can be used in case collisions between user names exist.",
    }),
    project: Flags.string({ summary: "Set default project (name or ID)" }),
    "project-domain": Flags.string({
      summary: "Domain the project belongs to (name or ID). This can be used in case collisions between project names exist.",
    }),
    password: Flags.string({ summary: "Set user password" }),
    email: Flags.string({ summary: "Set user email address" }),
    description: Flags.string({ summary: "Set user description" }),
    enable: Flags.boolean({ summary: "Enable user (default)", exclusive: ["disable"] }),
    disable: Flags.boolean({ summary: "Disable user" }),
    ...userOptionFlags,
  };

  async run(): Promise<void> {
    const id = this.identity();
    const user = await id.find("users", this.args.user, { domainId: await id.domainId(this.flags.domain) });
    const body: Record<string, unknown> = {};
    if (this.flags.name) body.name = this.flags.name;
    if (this.flags.email !== undefined) body.email = this.flags.email;
    if (this.flags.description !== undefined) body.description = this.flags.description;
    if (this.flags.password !== undefined) body.password = this.flags.password;
    if (this.flags.project) body.default_project_id = (await id.findProject(this.flags.project, this.flags["project-domain"])).id;
    if (this.flags.enable) body.enabled = true;
    if (this.flags.disable) body.enabled = false;
    const options = userOptions(this.flags);
    if (Object.keys(options).length) body.options = options;
    await id.update("users", user.id, body);
  }
}
