import { Flags } from "@oclif/core";
import { BaseCommand } from "../../../cli/base-command.js";
import { setFlag, stateDirFlag } from "../../../cli/flags.js";
import { loadConfig } from "../../../engine/common/config/config.js";
import { layout, stateDir } from "../../../engine/common/paths.js";
import { bootstrap } from "../../../engine/identity/bootstrap.js";
import { openKeystoneStore } from "../../../engine/identity/keystone.js";

export default class KeystoneBootstrap extends BaseCommand<typeof KeystoneBootstrap> {
  static override summary = "Create the initial identity data (keystone-manage bootstrap).";
  static override description =
    "Creates the Default domain, an admin project and user, the admin/member/reader roles (admin implies member implies reader), " +
    "grants admin on the project and on the system, and registers the identity service and its endpoints. Safe to run again.";
  static override examples = [
    "<%= config.bin %> manage keystone bootstrap --bootstrap-password secret --bootstrap-public-url http://127.0.0.1:5000/v3",
  ];
  static override flags = {
    "bootstrap-password": Flags.string({ summary: "Password of the admin user.", env: "OS_BOOTSTRAP_PASSWORD", required: true }),
    "bootstrap-username": Flags.string({ summary: "Name of the admin user.", default: "admin", env: "OS_BOOTSTRAP_USERNAME" }),
    "bootstrap-project-name": Flags.string({ summary: "Name of the admin project.", default: "admin", env: "OS_BOOTSTRAP_PROJECT_NAME" }),
    "bootstrap-role-name": Flags.string({ summary: "Role granted to the admin user.", default: "admin", env: "OS_BOOTSTRAP_ROLE_NAME" }),
    "bootstrap-service-name": Flags.string({
      summary: "Name of the identity service.",
      default: "keystone",
      env: "OS_BOOTSTRAP_SERVICE_NAME",
    }),
    "bootstrap-region-id": Flags.string({ summary: "Region of the identity endpoints.", env: "OS_BOOTSTRAP_REGION_ID" }),
    "bootstrap-public-url": Flags.string({ summary: "Public endpoint of the identity service.", env: "OS_BOOTSTRAP_PUBLIC_URL" }),
    "bootstrap-internal-url": Flags.string({ summary: "Internal endpoint of the identity service.", env: "OS_BOOTSTRAP_INTERNAL_URL" }),
    "bootstrap-admin-url": Flags.string({ summary: "Admin endpoint of the identity service.", env: "OS_BOOTSTRAP_ADMIN_URL" }),
    "state-dir": stateDirFlag,
    set: setFlag,
  };

  async run(): Promise<void> {
    const f = this.flags;
    const l = layout(stateDir(f["state-dir"]));
    const config = loadConfig(l.config, f.set ?? []);
    const store = openKeystoneStore(config, l);
    try {
      const res = bootstrap(store, {
        password: f["bootstrap-password"],
        username: f["bootstrap-username"],
        projectName: f["bootstrap-project-name"],
        roleName: f["bootstrap-role-name"],
        serviceName: f["bootstrap-service-name"],
        regionId: f["bootstrap-region-id"],
        publicUrl: f["bootstrap-public-url"],
        internalUrl: f["bootstrap-internal-url"],
        adminUrl: f["bootstrap-admin-url"],
      });
      for (const what of res.created) this.log(`Created ${what}`);
      if (res.created.length === 0) this.log("Already bootstrapped; nothing to create.");
      this.log(
        `Granted ${f["bootstrap-role-name"]} on project ${f["bootstrap-project-name"]} and on the system to user ${f["bootstrap-username"]} (${res.user_id}).`,
      );
    } finally {
      store.close();
    }
  }
}
