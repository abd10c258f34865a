import { readFileSync } from "node:fs";
import { Args, Flags } from "@oclif/core";
import { ClientCommand } from "../../../cli/client-command.js";
import { appCredentialView } from "../../../client/app-credentials.js";

export default class ApplicationCredentialCreate extends ClientCommand<typeof ApplicationCredentialCreate> {
  static override summary = "Create new application credential";
  static override args = { name: Args.string({ required: true, description: "Name of the application credential" }) };
  static override flags = {
    secret: Flags.string({ summary: "Secret to use for authentication (if not provided, one will be generated)" }),
    role: Flags.string({ multiple: true, summary: "Roles to authorize (name or ID) (repeat option to set multiple values)" }),
    expiration: Flags.string({
      summary:
        "Sets an expiration date for the application credential, format of YYYY-mm-ddTHH:MM:SS (if not provided, the application credential will not expire)",
    }),
    description: Flags.string({ summary: "Application credential description" }),
    unrestricted: Flags.boolean({
      summary:
        "Enable application credential to create and delete other application credentials and trusts (this is potentially dangerous behavior and is disabled by default)",
      exclusive: ["restricted"],
    }),
    restricted: Flags.boolean({
      summary:
        "Prohibit application credential from creating and deleting other application credentials and trusts (this is the default behavior)",
    }),
    "access-rules": Flags.string({
      summary:
        "Either a string or file path containing a JSON-formatted list of access rules, each containing a request method, path, and service",
    }),
  };

  async run(): Promise<void> {
    const session = this.session();
    const ref = await session.authRef();
    const tokenRoles = ref.body.roles ?? [];
    // Roles are matched against the token's own roles, as the openstack client does.
    const roles = (this.flags.role ?? []).map((r) => {
      const hit = tokenRoles.find((t) => t.name === r || t.id === r);
      return hit ? { id: hit.id } : { name: r };
    });
    if (this.flags.expiration && !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$/.test(this.flags.expiration))
      throw new Error(`time data '${this.flags.expiration}' does not match format '%Y-%m-%dT%H:%M:%S'`);
    let accessRules: unknown;
    if (this.flags["access-rules"]) {
      const text = this.flags["access-rules"];
      try {
        accessRules = JSON.parse(text);
      } catch {
        try {
          accessRules = JSON.parse(readFileSync(text, "utf8"));
        } catch {
          throw new Error("Access rules is not valid JSON string or file does not exist.");
        }
      }
    }
    const body: Record<string, unknown> = {
      name: this.args.name,
      secret: this.flags.secret,
      description: this.flags.description,
      expires_at: this.flags.expiration ? `${this.flags.expiration}.000000` : undefined,
      unrestricted: this.flags.unrestricted && !this.flags.restricted,
      access_rules: accessRules,
    };
    if (roles.length) body.roles = roles;
    const res = await session.post("identity", `/users/${ref.userId}/application_credentials`, { application_credential: body });
    await this.printOne(appCredentialView(res.body.application_credential));
  }
}
