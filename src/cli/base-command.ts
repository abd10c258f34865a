import { Command, Flags, type Interfaces } from "@oclif/core";
import { FORMATS, type Format, type Row, renderList, renderOne } from "./output.js";

export type BaseFlags<T extends typeof Command> = Interfaces.InferredFlags<(typeof BaseCommand)["baseFlags"] & T["flags"]>;
export type BaseArgs<T extends typeof Command> = Interfaces.InferredArgs<T["args"]>;

/**
 * Every `os` command: the openstack client's output flags (-f, -c, --sort-column, …) and one-line
 * errors (a CLI user sees `Error: …` and a non-zero exit, never a stack trace).
 */
export abstract class BaseCommand<T extends typeof Command> extends Command {
  static baseFlags = {
    format: Flags.option({ char: "f", options: FORMATS, default: "table" as Format, helpGroup: "OUTPUT", summary: "The output format." })(),
    column: Flags.string({ char: "c", multiple: true, helpGroup: "OUTPUT", summary: "Specify the column(s) to include, can be repeated." }),
    "sort-column": Flags.string({ multiple: true, helpGroup: "OUTPUT", summary: "Column(s) to sort the data by (ascending)." }),
    "sort-ascending": Flags.boolean({
      helpGroup: "OUTPUT",
      summary: "Sort the column(s) in ascending order.",
      exclusive: ["sort-descending"],
    }),
    "sort-descending": Flags.boolean({ helpGroup: "OUTPUT", summary: "Sort the column(s) in descending order." }),
    noindent: Flags.boolean({ helpGroup: "OUTPUT", summary: "Whether to disable indenting the JSON." }),
    prefix: Flags.string({ helpGroup: "OUTPUT", summary: "Add a prefix to all variable names (shell format)." }),
  };

  protected flags!: BaseFlags<T>;
  protected args!: BaseArgs<T>;

  public override async init(): Promise<void> {
    await super.init();
    const { args, flags } = await this.parse({
      flags: this.ctor.flags,
      baseFlags: (super.ctor as typeof BaseCommand).baseFlags,
      args: this.ctor.args,
      strict: this.ctor.strict,
    });
    this.flags = flags as BaseFlags<T>;
    this.args = args as BaseArgs<T>;
  }

  private renderOpts() {
    const f = this.flags as BaseFlags<typeof BaseCommand>;
    return {
      format: f.format,
      columns: f.column,
      sortColumns: f["sort-column"],
      sortDescending: f["sort-descending"],
      noindent: f.noindent,
      prefix: f.prefix,
    };
  }

  /** Print a list the way `openstack … list` does. */
  protected async printList(columns: string[], rows: Row[]): Promise<void> {
    const text = await renderList(columns, rows, this.renderOpts());
    if (text !== "") this.log(text);
  }

  /** Print one object the way `openstack … show/create` does (Field/Value table). */
  protected async printOne(obj: Row): Promise<void> {
    this.log(await renderOne(obj, this.renderOpts()));
  }

  /**
   * One readable line and a non-zero exit, never a stack. Like the openstack client, the message stands
   * alone (no "Error:" prefix); oclif's own usage errors keep their few lines and exit 2.
   */
  protected override async catch(err: Error & { exitCode?: number; oclif?: { exit?: number } }): Promise<unknown> {
    if (err.oclif?.exit === 0) return undefined;
    const usageError = err.oclif?.exit === 2;
    // The arguments were parsed, and refused: keep oclif from adding its "did not parse" warning (NODE_ENV=development/test).
    if (usageError) this.parsed = true;
    const text = usageError ? oneLineUsage(err.message) : err.message.split("\n")[0];
    process.stderr.write(`${usageError ? "Error: " : ""}${text}\n`);
    process.exitCode = err.oclif?.exit ?? err.exitCode ?? 1;
    return undefined;
  }
}

/**
 * oclif's usage errors span several lines ("Parsing --limit", a tab-indented reason, a note about
 * multiple-value flags, "See more help"): fold the facts into one line a user (or a script's log) reads at once.
 */
export function oneLineUsage(message: string): string {
  const facts = message
    .split("\n")
    .map((l) => l.trim().replace(/\s+/g, " "))
    .filter((l) => l && !/^(Note:|Alternatively,|See more help)/.test(l));
  const line = facts
    .map((l, i) => (i < facts.length - 1 && /^Parsing --\S+$/.test(l) ? `${l}:` : l))
    .join(" ")
    .replace(/:\s*$/, "");
  return `${line}${/[.!]$/.test(line) ? "" : "."} See --help.`;
}
