import { Args, Flags } from "@oclif/core";
import { BaseCommand } from "../../cli/base-command.js";
import { setFlag, stateDirFlag } from "../../cli/flags.js";
import { openCaStore } from "../../engine/common/tls/cli-support.js";
import { REVOCATION_REASONS } from "../../engine/common/tls/crl.js";
import { caDirFlag } from "./init.js";

export default class CaRevoke extends BaseCommand<typeof CaRevoke> {
  static override summary = "Revoke a certificate and rewrite the CRLs (crl.pem).";
  static override description =
    "Services that verify client certificates re-read crl.pem within seconds, so a revoked client certificate is refused at the next handshake.";
  static override examples = ["<%= config.bin %> ca revoke alice --reason keyCompromise"];
  static override args = { name: Args.string({ required: true, description: "A name from `os ca list`." }) };
  static override flags = {
    "state-dir": stateDirFlag,
    "ca-dir": caDirFlag,
    set: setFlag,
    reason: Flags.option({ options: REVOCATION_REASONS, default: "unspecified" as const, summary: "CRL reason code." })(),
  };

  async run(): Promise<void> {
    const store = openCaStore(this.flags);
    const rec = store.revoke(this.args.name, this.flags.reason);
    await this.printOne({
      name: rec.name,
      serial: rec.serial,
      status: rec.status,
      revoked_at: rec.revokedAt,
      reason: rec.reason,
      crl: store.crlFile,
    });
  }
}
