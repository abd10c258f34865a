/**
 * Rows of what a command printed, for `table_rows` expectations: a cliff ASCII table (`| a | b |`,
 * header above the first rule inside), or a JSON list of objects (`-f json`). Cells of a table are text.
 * Only the first table in the output is read (a few commands print a note after it).
 */
export type TableRow = Record<string, unknown>;

export function rowsOf(output: string): TableRow[] | undefined {
  const trimmed = output.trim();
  if (trimmed.startsWith("[")) {
    try {
      const doc = JSON.parse(trimmed) as unknown;
      if (Array.isArray(doc)) return doc.filter((r): r is TableRow => r !== null && typeof r === "object" && !Array.isArray(r));
    } catch {
      // not JSON: read it as a table
    }
  }
  return parseAsciiTable(output);
}

export function parseAsciiTable(output: string): TableRow[] | undefined {
  const lines = output.split("\n").map((l) => l.trimEnd());
  const start = lines.findIndex((l) => /^\+-[-+]*\+$/.test(l));
  if (start < 0) return undefined;
  const block: string[] = [];
  for (let k = start; k < lines.length && /^[+|]/.test(lines[k] ?? ""); k++) block.push(lines[k] ?? "");
  const cells = (l: string) =>
    l
      .slice(1, -1)
      .split(" | ")
      .map((c) => c.trim());
  // +---+ / | head | / +---+ / rows… / +---+ ; a multi-line cell continues on the next `|` line.
  const header = block[1];
  if (!header?.startsWith("|")) return undefined;
  const head = cells(header);
  const raw: string[][] = [];
  for (const l of block.slice(3)) {
    if (l.startsWith("+")) continue;
    const c = cells(l);
    const last = raw[raw.length - 1];
    // A continuation line of a multi-line cell has an empty first cell.
    if (last && c[0] === "" && head.length > 1) {
      c.forEach((v, i) => {
        if (v) last[i] = last[i] ? `${last[i]}\n${v}` : v;
      });
      continue;
    }
    raw.push(c);
  }
  const rows = raw.map((c) => Object.fromEntries(head.map((h, i) => [h, c[i] ?? ""])) as TableRow);
  return rows;
}
