import { Args, Flags } from "@oclif/core";
import { BaseCommand } from "../../cli/base-command.js";
import { setFlag, stateDirFlag } from "../../cli/flags.js";
import { openCaStore, resolveCertificate } from "../../engine/common/tls/cli-support.js";
import { describeCertificate } from "../../engine/common/tls/describe.js";
import { caDirFlag } from "./init.js";

export default class CaShow extends BaseCommand<typeof CaShow> {
  static override summary = "Print a certificate the way `openssl x509 -noout -text` does.";
  static override examples = [
    "<%= config.bin %> ca show keystone",
    "<%= config.bin %> ca show root",
    "<%= config.bin %> ca show ./server.crt --pem",
  ];
  static override args = {
    certificate: Args.string({ required: true, description: "A name from `os ca list` (root, intermediate, …) or a PEM file." }),
  };
  static override flags = {
    "state-dir": stateDirFlag,
    "ca-dir": caDirFlag,
    set: setFlag,
    pem: Flags.boolean({ summary: "Also print the PEM text (like openssl x509 -text without -noout)." }),
  };

  async run(): Promise<void> {
    const cert = resolveCertificate(openCaStore(this.flags), this.args.certificate);
    const first = cert.pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----\n?/)?.[0];
    if (!first) this.error(`${cert.label} holds no PEM certificate`, { exit: 1 });
    this.log(describeCertificate(first));
    if (this.flags.pem) this.log(first.trimEnd());
  }
}
