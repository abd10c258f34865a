// Output like the openstack client's (cliff): table, json, yaml, value, csv, shell.
export const LIST_FORMATS = ["table", "json", "yaml", "value", "csv"] as const;
export const SHOW_FORMATS = ["table", "json", "yaml", "value", "shell"] as const;
export const FORMATS = ["table", "json", "yaml", "value", "csv", "shell"] as const;
export type Format = (typeof FORMATS)[number];
export type Cell = string | number | boolean | null | undefined | object;
export type Row = Record<string, Cell>;

export interface RenderOptions {
  format: Format;
  columns?: string[];
  sortColumns?: string[];
  sortDescending?: boolean;
  noindent?: boolean;
  prefix?: string;
}

/** Text of a cell as cliff prints it in a table or value output (Python-ish: None, True, False). */
export function cellText(v: Cell): string {
  if (v === null || v === undefined) return "None";
  if (v === true) return "True";
  if (v === false) return "False";
  if (typeof v === "object") return JSON.stringify(v);
  return String(v);
}

function pick(columns: string[], wanted?: string[]): string[] {
  if (!wanted || wanted.length === 0) return columns;
  const unknown = wanted.filter((c) => !columns.includes(c));
  if (unknown.length > 0)
    throw new Error(`No recognized column names in ['${unknown.join("', '")}']. Recognized columns are ('${columns.join("', '")}').`);
  return wanted;
}

/**
 * A cliff/prettytable table: ASCII borders, a rule under the header and at the bottom only, cells
 * left-aligned and padded by one space, multi-line cells spread over several text lines.
 */
function table(head: string[], rows: string[][], rightAlign: boolean[] = []): string {
  const widths = head.map((h, i) => Math.max(...[h, ...rows.map((r) => r[i] ?? "")].flatMap((c) => c.split("\n").map((l) => l.length))));
  const rule = `+${widths.map((w) => "-".repeat(w + 2)).join("+")}+`;
  const line = (cells: string[]) => {
    const split = cells.map((c) => c.split("\n"));
    const height = Math.max(...split.map((l) => l.length));
    const out: string[] = [];
    const pad = (t: string, i: number) => (rightAlign[i] ? t.padStart(widths[i] ?? 0) : t.padEnd(widths[i] ?? 0));
    for (let k = 0; k < height; k++) out.push(`| ${split.map((l, i) => pad(l[k] ?? "", i)).join(" | ")} |`);
    return out.join("\n");
  };
  return [rule, line(head), rule, ...rows.map(line), rule].join("\n");
}

const yamlScalar = (v: Cell) => v;

async function yaml(data: unknown): Promise<string> {
  const { stringify } = await import("yaml");
  return stringify(data, { lineWidth: 0 }).trimEnd();
}

// Python's csv writer with QUOTE_NONNUMERIC (cliff's default): numbers and booleans bare, the rest quoted.
const csvField = (v: Cell) => (typeof v === "number" || typeof v === "boolean" ? cellText(v) : `"${cellText(v).replace(/"/g, '""')}"`);

/** A list (one row per object): returns the text to print, or "" where cliff prints nothing. */
export async function renderList(columns: string[], rows: Row[], opts: RenderOptions): Promise<string> {
  const cols = pick(columns, opts.columns);
  let data = rows;
  if (opts.sortColumns?.length) {
    const keys = opts.sortColumns.filter((c) => columns.includes(c));
    data = [...rows].sort((a, b) => {
      for (const k of keys) {
        const x = cellText(a[k]);
        const y = cellText(b[k]);
        if (x !== y) return (x < y ? -1 : 1) * (opts.sortDescending ? -1 : 1);
      }
      return 0;
    });
  }
  switch (opts.format) {
    case "json":
      return JSON.stringify(
        data.map((r) => Object.fromEntries(cols.map((c) => [c, r[c] ?? null]))),
        null,
        opts.noindent ? undefined : 2,
      );
    case "yaml":
      return data.length ? yaml(data.map((r) => Object.fromEntries(cols.map((c) => [c, yamlScalar(r[c] ?? null)])))) : "[]";
    case "value":
      return data.map((r) => cols.map((c) => cellText(r[c])).join(" ")).join("\n");
    case "csv":
      return [cols.map((c) => `"${c}"`).join(","), ...data.map((r) => cols.map((c) => csvField(r[c])).join(","))].join("\n");
    case "shell":
      throw new Error("the shell format is only for single objects");
    default:
      // cliff right-aligns (header included) every column whose value in the first row is a number.
      return data.length === 0
        ? ""
        : table(
            cols,
            data.map((r) => cols.map((c) => cellText(r[c]))),
            cols.map((c) => typeof data[0]?.[c] === "number"),
          );
  }
}

/** A single object (show/create): a Field/Value table, a JSON object, `key="value"` lines, … */
export async function renderOne(obj: Row, opts: RenderOptions): Promise<string> {
  const fields = pick(Object.keys(obj), opts.columns);
  const view = Object.fromEntries(fields.map((f) => [f, obj[f] ?? null]));
  switch (opts.format) {
    case "json":
      return JSON.stringify(view, null, opts.noindent ? undefined : 2);
    case "yaml":
      return yaml(view);
    case "value":
      return fields.map((f) => cellText(view[f])).join("\n");
    case "shell":
      return fields
        .map((f) => `${opts.prefix ?? ""}${f.replace(/[^A-Za-z0-9_]/g, "_")}="${cellText(view[f]).replace(/"/g, '\\"')}"`)
        .join("\n");
    case "csv":
      return [`"Field","Value"`, ...fields.map((f) => `"${f}",${csvField(view[f])}`)].join("\n");
    default:
      return table(
        ["Field", "Value"],
        fields.map((f) => [f, cellText(view[f])]),
      );
  }
}
