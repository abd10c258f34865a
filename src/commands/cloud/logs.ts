import { createReadStream, existsSync, readdirSync, statSync, watch } from "node:fs";
import { Args, Command, Flags } from "@oclif/core";
import { stateDirFlag } from "../../cli/flags.js";
import { layout, stateDir } from "../../engine/common/paths.js";

export default class CloudLogs extends Command {
  static override summary = "Show a service's log (like journalctl -u)";
  static override examples = ["<%= config.bin %> cloud logs keystone", "<%= config.bin %> cloud logs supervisor -f"];
  static override args = { service: Args.string({ required: true, description: "Service name (see `os cloud status`), or supervisor" }) };
  static override flags = {
    "state-dir": stateDirFlag,
    follow: Flags.boolean({ char: "f", summary: "Keep printing new lines as they are written." }),
    lines: Flags.integer({ char: "n", summary: "Only the last N lines." }),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(CloudLogs);
    const l = layout(stateDir(flags["state-dir"]));
    const file = l.log(args.service);
    if (!existsSync(file)) {
      const known = existsSync(l.logs) ? readdirSync(l.logs).map((f) => f.replace(/\.log$/, "")) : [];
      this.error(`no log for '${args.service}' in ${l.logs}${known.length ? ` (known: ${known.join(", ")})` : ""}`, { exit: 1 });
    }
    let pos = 0;
    const print = (from: number) =>
      new Promise<number>((resolve) => {
        const size = statSync(file).size;
        if (size <= from) return resolve(size < from ? 0 : from);
        createReadStream(file, { start: from, end: size - 1 })
          .on("data", (c) => process.stdout.write(c))
          .on("end", () => resolve(size));
      });
    if (flags.lines !== undefined) {
      const text = await import("node:fs").then((fs) => fs.readFileSync(file, "utf8"));
      const lines = text.split("\n");
      if (lines.at(-1) === "") lines.pop();
      process.stdout.write(`${lines.slice(-flags.lines).join("\n")}\n`);
      pos = statSync(file).size;
    } else {
      pos = await print(0);
    }
    if (!flags.follow) return;
    await new Promise<void>(() => {
      watch(file, async () => {
        pos = await print(pos);
      });
    });
  }
}
