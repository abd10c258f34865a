import { Flags } from "@oclif/core";
import { BaseCommand } from "../../cli/base-command.js";
import { setFlag, stateDirFlag } from "../../cli/flags.js";
import { openCaStore } from "../../engine/common/tls/cli-support.js";
import { caDirFlag } from "./init.js";

export default class CaList extends BaseCommand<typeof CaList> {
  static override summary = "List the certificates the lab CA issued.";
  static override examples = ["<%= config.bin %> ca list", "<%= config.bin %> ca list --all -f json"];
  static override flags = {
    "state-dir": stateDirFlag,
    "ca-dir": caDirFlag,
    set: setFlag,
    all: Flags.boolean({ summary: "Also show certificates replaced by a newer one of the same name." }),
  };

  async run(): Promise<void> {
    const store = openCaStore(this.flags);
    if (!store.exists()) this.error(`no CA in ${store.dir}: run \`os ca init\` first`, { exit: 1 });
    const now = Date.now();
    const rows = store
      .list()
      .filter((c) => this.flags.all || c.status !== "superseded")
      .map((c) => ({
        Name: c.name,
        Kind: c.kind,
        Subject: c.subject,
        Issuer: c.issuer,
        Serial: c.serial,
        "Not After": c.notAfter,
        // An expired certificate is still "valid" in the index; say what a verifier would.
        Status: c.status === "valid" && Date.parse(c.notAfter) < now ? "expired" : c.status,
      }));
    await this.printList(["Name", "Kind", "Subject", "Issuer", "Serial", "Not After", "Status"], rows);
  }
}
