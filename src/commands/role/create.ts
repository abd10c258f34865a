import { Args, Flags } from "@oclif/core";
import { ClientCommand } from "../../cli/client-command.js";
import { ApiError } from "../../client/errors.js";
import { type Entity, showable } from "../../client/identity.js";

export const immutableFlags = {
  immutable: Flags.boolean({
    summary: "Make resource immutable. An immutable project may not be deleted or modified except to remove the immutable flag",
    exclusive: ["no-immutable"],
  }),
  "no-immutable": Flags.boolean({ summary: "Make resource mutable (default)" }),
};

export function immutableOption(f: { immutable?: boolean; "no-immutable"?: boolean }): Record<string, boolean> | undefined {
  if (f.immutable) return { immutable: true };
  if (f["no-immutable"]) return { immutable: false };
  return undefined;
}

export default class RoleCreate extends ClientCommand<typeof RoleCreate> {
  static override summary = "Create new role";
  static override args = { name: Args.string({ required: true, description: "New role name" }) };
  static override flags = {
    description: Flags.string({ summary: "Add description about the role" }),
    domain: Flags.string({ summary: "Domain the role belongs to (name or ID)" }),
    "or-show": Flags.boolean({ summary: "Return existing role" }),
    ...immutableFlags,
  };

  async run(): Promise<void> {
    const id = this.identity();
    const domainId = await id.domainId(this.flags.domain);
    let role: Entity;
    try {
      role = await id.create("roles", {
        name: this.args.name,
        domain_id: domainId,
        description: this.flags.description,
        options: immutableOption(this.flags),
      });
    } catch (err) {
      if (!(err instanceof ApiError && err.status === 409 && this.flags["or-show"])) throw err;
      role = await id.find("roles", this.args.name, { domainId });
    }
    await this.printOne(showable(role));
  }
}
