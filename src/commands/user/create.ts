import { Args, Flags } from "@oclif/core";
import { ClientCommand } from "../../cli/client-command.js";
import { ApiError } from "../../client/errors.js";
import { type Entity, showable } from "../../client/identity.js";

/** The openstack client's user option flags (PCI-DSS options), shared by `user create` and `user set`. */
export const userOptionFlags = {
  "ignore-lockout-failure-attempts": Flags.boolean({
    summary: "Opt into ignoring the number of times a user has authenticated and locking out the user as a result",
  }),
  "no-ignore-lockout-failure-attempts": Flags.boolean({
    summary: "Opt out of ignoring the number of times a user has authenticated and locking out the user as a result",
  }),
  "ignore-password-expiry": Flags.boolean({ summary: "Opt into allowing user to continue using passwords that may be expired" }),
  "no-ignore-password-expiry": Flags.boolean({ summary: "Opt out of allowing user to continue using passwords that may be expired" }),
  "ignore-change-password-upon-first-use": Flags.boolean({
    summary:
      "Control if a user should be forced to change their password immediately after they log into keystone for the first time. Opt into ignoring the user to change their password during first time login in keystone",
  }),
  "no-ignore-change-password-upon-first-use": Flags.boolean({
    summary: "Opt out of ignoring the user to change their password during first time login in keystone",
  }),
  "enable-lock-password": Flags.boolean({ summary: "Disables the ability for a user to change its password through self-service APIs" }),
  "disable-lock-password": Flags.boolean({ summary: "Enables the ability for a user to change its password through self-service APIs" }),
  "enable-multi-factor-auth": Flags.boolean({ summary: "Enables the MFA (Multi Factor Auth)" }),
  "disable-multi-factor-auth": Flags.boolean({ summary: "Disables the MFA (Multi Factor Auth)" }),
};

export function userOptions(f: Record<string, unknown>): Record<string, boolean> {
  const o: Record<string, boolean> = {};
  const pair = (on: string, off: string, key: string) => {
    if (f[on]) o[key] = true;
    if (f[off]) o[key] = false;
  };
  pair("ignore-lockout-failure-attempts", "no-ignore-lockout-failure-attempts", "ignore_lockout_failure_attempts");
  pair("ignore-password-expiry", "no-ignore-password-expiry", "ignore_password_expiry");
  pair("ignore-change-password-upon-first-use", "no-ignore-change-password-upon-first-use", "ignore_change_password_upon_first_use");
  pair("enable-lock-password", "disable-lock-password", "lock_password");
  pair("enable-multi-factor-auth", "disable-multi-factor-auth", "multi_factor_auth_enabled");
  return o;
}

export default class UserCreate extends ClientCommand<typeof UserCreate> {
  static override summary = "Create new user";
  static override args = { name: Args.string({ required: true, description: "New user name" }) };
  static override flags = {
    domain: Flags.string({ summary: "Default domain (name or ID)" }),
    project: Flags.string({ summary: "Default project (name or ID)" }),
    "project-domain": Flags.string({
      summary: "Domain the project belongs to (name or ID). This can be used in case collisions between project names exist.",
    }),
    password: Flags.string({ summary: "Set user password" }),
    email: Flags.string({ summary: "Set user email address" }),
    description: Flags.string({ summary: "User description" }),
    enable: Flags.boolean({ summary: "Enable user (default)", exclusive: ["disable"] }),
    disable: Flags.boolean({ summary: "Disable user" }),
    "or-show": Flags.boolean({ summary: "Return existing user" }),
    ...userOptionFlags,
  };

  async run(): Promise<void> {
    const id = this.identity();
    const projectId = this.flags.project ? (await id.findProject(this.flags.project, this.flags["project-domain"])).id : undefined;
    const domainId = await id.domainId(this.flags.domain);
    if (!this.flags.password)
      process.stderr.write("No password was supplied, authentication will fail when a user does not have a password.\n");
    const options = userOptions(this.flags);
    let user: Entity;
    try {
      user = await id.create("users", {
        name: this.args.name,
        domain_id: domainId,
        default_project_id: projectId,
        password: this.flags.password,
        email: this.flags.email,
        description: this.flags.description,
        enabled: !this.flags.disable,
        ...(Object.keys(options).length ? { options } : {}),
      });
    } catch (err) {
      if (!(err instanceof ApiError && err.status === 409 && this.flags["or-show"])) throw err;
      user = await id.find("users", this.args.name, { domainId });
    }
    await this.printOne(showable(user));
  }
}
