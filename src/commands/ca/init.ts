import { Flags } from "@oclif/core";
import { BaseCommand } from "../../cli/base-command.js";
import { setFlag, stateDirFlag } from "../../cli/flags.js";
import { openCaStore } from "../../engine/common/tls/cli-support.js";

export const caDirFlag = Flags.string({ summary: "Directory of the lab CA (default: [ssl] ca_dir, else <state dir>/ca)." });

export default class CaInit extends BaseCommand<typeof CaInit> {
  static override summary = "Create the lab certificate authority: a root CA and an intermediate CA (pathlen:0).";
  static override description =
    "The root is self-signed (basicConstraints CA:TRUE critical; keyUsage Digital Signature, Certificate Sign, CRL Sign; subject key identifier). The intermediate is signed by the root (pathlen:0, authority key identifier) and issues every server and client certificate. Keys are written 0600 under private/.";
  static override examples = ["<%= config.bin %> ca init", "<%= config.bin %> ca init --organization 'Lab Corp' --force"];
  static override flags = {
    "state-dir": stateDirFlag,
    "ca-dir": caDirFlag,
    set: setFlag,
    organization: Flags.string({ summary: "Organisation (O) in the CA names.", default: "pocketstack" }),
    "root-days": Flags.integer({ summary: "Validity of the root CA in days.", default: 3650, min: 1 }),
    "intermediate-days": Flags.integer({ summary: "Validity of the intermediate CA in days.", default: 1825, min: 1 }),
    force: Flags.boolean({ summary: "Replace an existing CA (everything it issued stops verifying)." }),
  };

  async run(): Promise<void> {
    const store = openCaStore(this.flags);
    const recs = await store.init({
      organization: this.flags.organization,
      rootDays: this.flags["root-days"],
      intermediateDays: this.flags["intermediate-days"],
      force: this.flags.force,
    });
    await this.printList(
      ["Name", "Kind", "Subject", "Serial", "Not After", "File", "Issue ms"],
      recs.map((r) => ({
        Name: r.name,
        Kind: r.kind,
        Subject: r.subject,
        Serial: r.serial,
        "Not After": r.notAfter,
        File: store.certFile(r.name),
        "Issue ms": r.issueMs,
      })),
    );
  }
}
