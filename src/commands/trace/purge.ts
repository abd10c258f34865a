import { Flags } from "@oclif/core";
import { BaseCommand } from "../../cli/base-command.js";
import { stateDirFlag } from "../../cli/flags.js";
import { layout, stateDir } from "../../engine/common/paths.js";
import { purgeTraces } from "../../engine/common/trace/watch-queries.js";

const UNIT_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** "90s", "30m", "12h", "7d", "2w" → milliseconds. */
export function parseAge(text: string): number {
  const m = /^(\d+(?:\.\d+)?)([smhdw])$/.exec(text.trim());
  if (!m) throw new Error(`--older-than: '${text}' is not an age like 90s, 30m, 12h, 7d or 2w.`);
  return Number(m[1]) * (UNIT_MS[m[2] as string] as number);
}

export default class TracePurge extends BaseCommand<typeof TracePurge> {
  static override summary = "Delete stored traces";
  static override description =
    "Deletes whole traces (every span of them) from the trace database: those that started longer ago than --older-than, or all of them. The collector's own retention (a maximum trace count) keeps running independently.";
  static override examples = ["<%= config.bin %> trace purge --older-than 7d", "<%= config.bin %> trace purge"];
  static override flags = {
    "state-dir": stateDirFlag,
    "older-than": Flags.string({ summary: "Only traces older than this age: 90s, 30m, 12h, 7d, 2w." }),
  };

  async run(): Promise<void> {
    const age = this.flags["older-than"] === undefined ? undefined : parseAge(this.flags["older-than"]);
    const file = layout(stateDir(this.flags["state-dir"])).db("trace");
    const { traces, spans } = purgeTraces(file, { before: age === undefined ? undefined : Date.now() - age });
    await this.printOne({ "Traces deleted": traces, "Spans deleted": spans });
  }
}
