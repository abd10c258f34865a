import { Args, Flags } from "@oclif/core";
import { BaseCommand } from "../../cli/base-command.js";
import { setFlag, stateDirFlag } from "../../cli/flags.js";
import { openCaStore } from "../../engine/common/tls/cli-support.js";
import { ISSUABLE_KINDS } from "../../engine/common/tls/profiles.js";
import { caDirFlag } from "./init.js";

export default class CaIssue extends BaseCommand<typeof CaIssue> {
  static override summary = "Issue a server or client certificate from the lab CA.";
  static override description =
    "Server certificates carry subjectAltName DNS names and IP addresses (--san) and extendedKeyUsage serverAuth; client certificates carry keyUsage Digital Signature + Key Encipherment and clientAuth. Both are signed by the intermediate CA; <name>-chain.crt holds the certificate followed by the intermediate (what a server presents). --kind ca makes a further CA below the intermediate: the intermediate's pathlen:0 forbids it, and `os ca verify` shows why.";
  static override examples = [
    "<%= config.bin %> ca issue keystone --san localhost --san 127.0.0.1",
    "<%= config.bin %> ca issue alice --kind client --subject 'CN=alice,O=demo'",
    "<%= config.bin %> ca issue old --san localhost --not-before 2020-01-01 --days 30",
  ];
  static override args = {
    name: Args.string({ required: true, description: "Name of the certificate (file names under certs/ and private/)." }),
  };
  static override flags = {
    "state-dir": stateDirFlag,
    "ca-dir": caDirFlag,
    set: setFlag,
    kind: Flags.option({ options: ISSUABLE_KINDS, default: "server" as const, summary: "What the certificate is for." })(),
    san: Flags.string({ multiple: true, summary: "DNS name or IP address for the subjectAltName (repeatable; also comma-separated)." }),
    subject: Flags.string({ summary: "Subject DN, e.g. 'CN=alice,O=demo' (default CN=<name>,O=<CA organisation>)." }),
    days: Flags.integer({ summary: "Validity in days.", default: 365, min: 1 }),
    "not-before": Flags.string({
      summary: "Start of validity (ISO date); with a past date and few --days, an expired certificate for the lab.",
    }),
    issuer: Flags.string({ summary: "CA that signs it (a name from `os ca list`).", default: "intermediate" }),
    replace: Flags.boolean({ summary: "Replace an existing certificate of that name." }),
  };

  async run(): Promise<void> {
    const store = openCaStore(this.flags);
    let notBefore: Date | undefined;
    if (this.flags["not-before"]) {
      notBefore = new Date(this.flags["not-before"]);
      if (Number.isNaN(notBefore.getTime()))
        this.error(`--not-before '${this.flags["not-before"]}' is not a date (use e.g. 2020-01-01)`, { exit: 1 });
    }
    const sans = (this.flags.san ?? [])
      .flatMap((s) => s.split(","))
      .map((s) => s.trim())
      .filter(Boolean);
    const rec = await store.issue({
      name: this.args.name,
      kind: this.flags.kind,
      sans,
      subject: this.flags.subject,
      days: this.flags.days,
      notBefore,
      issuer: this.flags.issuer,
      replace: this.flags.replace,
    });
    await this.printOne({
      name: rec.name,
      kind: rec.kind,
      subject: rec.subject,
      issuer: rec.issuer,
      serial: rec.serial,
      subject_alt_names: rec.sans.join(", "),
      not_before: rec.notBefore,
      not_after: rec.notAfter,
      certificate: store.certFile(rec.name),
      chain: store.chainFile(rec.name),
      private_key: store.keyFile(rec.name),
      issue_ms: rec.issueMs,
    });
  }
}
