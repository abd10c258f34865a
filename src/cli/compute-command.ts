import { Args, type Command, Flags } from "@oclif/core";
import { ComputeApi, DEFAULT_COMPUTE_API_VERSION, Formatted, PyFloatCell, minVersion, parseVersion } from "../client/compute.js";
import { ClientCommand, pyCell } from "./client-command.js";
import { type Cell, type Row, cellText } from "./output.js";

/**
 * Base of every compute command (`os server …`, `os flavor …`, …): --os-compute-api-version like the
 * openstack client (2.1 unless asked), a ComputeApi at that microversion, and cliff's rendering of
 * formatted columns (text in tables, data in JSON/YAML) with numbers right-aligned in list tables.
 */
export abstract class ComputeCommand<T extends typeof Command> extends ClientCommand<T> {
  static override baseFlags = {
    ...ClientCommand.baseFlags,
    "os-compute-api-version": Flags.string({
      helpGroup: "GLOBAL",
      env: "OS_COMPUTE_API_VERSION",
      summary: `Compute API version, default=${DEFAULT_COMPUTE_API_VERSION} (Env: OS_COMPUTE_API_VERSION)`,
    }),
  };

  private computeApi?: ComputeApi;
  private serverMax?: string;

  /** The microversion asked for with --os-compute-api-version, if any. */
  protected requestedVersion(): string | undefined {
    const v = (this.flags as unknown as Record<string, string | undefined>)["os-compute-api-version"];
    if (v === undefined || v === "") return undefined;
    if (v === "2") return DEFAULT_COMPUTE_API_VERSION;
    parseVersion(v);
    return v;
  }

  /** novaclient's view: the asked microversion, else 2.1. */
  protected compute(): ComputeApi {
    this.computeApi ??= new ComputeApi(this.session(), this.requestedVersion() ?? DEFAULT_COMPUTE_API_VERSION);
    return this.computeApi;
  }

  /**
   * openstacksdk's view (flavor, keypair, service, server group, console commands): the asked
   * microversion, else the newest both the resource and the server know.
   */
  protected async sdk(resourceMax: string): Promise<ComputeApi> {
    const asked = this.requestedVersion();
    if (asked) return this.compute();
    this.serverMax ??= await this.compute().maxVersion();
    return this.compute().at(minVersion(resourceMax, this.serverMax));
  }

  private machine(): boolean {
    return ["json", "yaml"].includes((this.flags as unknown as { format: string }).format);
  }

  private unwrap(r: Record<string, unknown>): Row {
    const m = this.machine();
    return Object.fromEntries(Object.entries(r).map(([k, v]) => [k, (v instanceof Formatted ? (m ? v.machine : v.human) : v) as Cell]));
  }

  protected override async printOne(obj: Record<string, unknown>): Promise<void> {
    await super.printOne(this.unwrap(obj));
  }

  /** Lists: cliff right-aligns a table column whose first value is a number (not a bool). */
  protected override async printList(columns: string[], rows: Array<Record<string, unknown>>): Promise<void> {
    const f = this.flags as unknown as { format: string; column?: string[]; "sort-column"?: string[]; "sort-descending"?: boolean };
    const data = rows.map((r) => this.unwrap(r));
    // A Python float (rxtx_factor) is a number to cliff, so right-aligned; formatter columns never are.
    const numeric = (c: string) => {
      const v = rows[0]?.[c];
      return typeof v === "number" || v instanceof PyFloatCell;
    };
    if (f.format !== "table") return super.printList(columns, data);
    const unknown = (f.column ?? []).filter((c) => !columns.includes(c));
    if (unknown.length)
      throw new Error(`No recognized column names in ['${unknown.join("', '")}']. Recognized columns are ('${columns.join("', '")}').`);
    const cols = f.column?.length ? f.column : columns;
    const text = (v: Cell): string => cellText(pyCell(v));
    let sorted = data;
    const keys = (f["sort-column"] ?? []).filter((c) => columns.includes(c));
    if (keys.length)
      sorted = [...data].sort((a, b) => {
        for (const k of keys) {
          const x = text(a[k]);
          const y = text(b[k]);
          if (x !== y) return (x < y ? -1 : 1) * (f["sort-descending"] ? -1 : 1);
        }
        return 0;
      });
    if (sorted.length === 0) return;
    const right = cols.map((c) => (keys.length ? typeof sorted[0]?.[c] === "number" : numeric(c)));
    this.log(
      cliffTable(
        cols,
        sorted.map((r) => cols.map((c) => text(r[c]))),
        right,
      ),
    );
  }

  /** osc's progress callback (`\rProgress: N`), on stderr so stdout stays the command's output. */
  protected progress(server: Record<string, unknown>): void {
    const p = Number(server.progress ?? 0);
    if (p) process.stderr.write(`\rProgress: ${p}`);
  }
}

/** A cliff/prettytable table with per-column alignment (header aligned like its column). */
export function cliffTable(head: string[], rows: string[][], right: boolean[]): string {
  const widths = head.map((h, i) => Math.max(...[h, ...rows.map((r) => r[i] ?? "")].flatMap((c) => c.split("\n").map((l) => l.length))));
  const rule = `+${widths.map((w) => "-".repeat(w + 2)).join("+")}+`;
  const line = (cells: string[], header = false) => {
    const split = cells.map((c) => c.split("\n"));
    const height = Math.max(...split.map((l) => l.length));
    const out: string[] = [];
    for (let k = 0; k < height; k++)
      out.push(
        `| ${split
          .map((l, i) => {
            const cell = l[k] ?? "";
            const w = widths[i] ?? 0;
            if (header) return right[i] ? cell.padStart(w) : cell.padEnd(w);
            return right[i] ? cell.padStart(w) : cell.padEnd(w);
          })
          .join(" | ")} |`,
      );
    return out.join("\n");
  };
  return [rule, line(head, true), rule, ...rows.map((r) => line(r)), rule].join("\n");
}

/** osc-lib KeyValueAction: "key=value" pairs (a missing "=" is the openstack client's error). */
export function keyValues(items: string[] | undefined, flag = "--property"): Record<string, string> {
  const out: Record<string, string> = {};
  for (const item of items ?? []) {
    const i = item.indexOf("=");
    if (i < 0) throw new Error(`Expected 'key=value' type, but got: ${item}`);
    out[item.slice(0, i)] = item.slice(i + 1);
  }
  void flag;
  return out;
}

/** The openstack client's error for an option newer than the chosen microversion. */
export function needVersion(min: string, what: string): Error {
  return new Error(`--os-compute-api-version ${min} or greater is required to support the ${what}`);
}

/** A server description needs compute 2.19 (openstackclient's wording when the session's version is older). */
export function requireDescriptionSupport(compute: { atLeast(min: string): boolean }): void {
  if (!compute.atLeast("2.19")) throw new Error("Description is not supported for --os-compute-api-version less than 2.19");
}

/**
 * `os server stop|start|pause|…`: one server action per named server (osc's small action commands),
 * no output, the first failure ends the command.
 */
export function serverActionCommand(opts: { summary: string; action: (server: string) => Record<string, unknown>; allProjects?: boolean }) {
  const flags: Record<string, ReturnType<typeof Flags.boolean>> = {};
  if (opts.allProjects)
    flags["all-projects"] = Flags.boolean({
      summary: "Start server(s) in another project by name (admin only)(can be specified using the ALL_PROJECTS envvar)",
      env: "ALL_PROJECTS",
    });
  return class extends ComputeCommand<typeof Command> {
    static override summary = opts.summary;
    static override strict = false;
    static override args = { server: Args.string({ required: true, description: "Server(s) (name or ID)" }) };
    static override flags = flags;

    async run(): Promise<void> {
      const all = Boolean((this.flags as unknown as Record<string, unknown>)["all-projects"]);
      const compute = this.compute();
      for (const name of this.positionals) {
        const server = await compute.findServer(name, { allProjects: all });
        await compute.action(String(server.id), opts.action(String(server.id)));
      }
    }
  };
}
