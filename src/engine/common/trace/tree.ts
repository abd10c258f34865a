import type { SpanRecord } from "./span.js";

/** A span placed in its trace: children in start order, times relative to the trace's first span. */
export interface SpanNode extends SpanRecord {
  duration_ms: number;
  /** Milliseconds from the start of the trace's earliest span. */
  offset_ms: number;
  children: SpanNode[];
}

/** "12.3 ms" under a second, "1.23 s" above. */
export function formatDuration(ms: number): string {
  return ms < 1000 ? `${ms.toFixed(1)} ms` : `${(ms / 1000).toFixed(2)} s`;
}

const round = (ms: number) => Math.round(ms * 1000) / 1000;

/**
 * Parent links → trees, one forest for all the traces given. A span whose parent is missing (lost, or
 * in a process that does not export) becomes a root of its own rather than disappearing.
 */
export function buildSpanForest(spans: SpanRecord[]): SpanNode[] {
  const traceStart = new Map<string, number>();
  for (const s of spans) traceStart.set(s.trace_id, Math.min(traceStart.get(s.trace_id) ?? s.start, s.start));
  const nodes = new Map<string, SpanNode>();
  const key = (trace: string, span: string) => `${trace}/${span}`;
  for (const s of [...spans].sort((a, b) => a.start - b.start)) {
    nodes.set(key(s.trace_id, s.span_id), {
      ...s,
      duration_ms: round(s.end - s.start),
      offset_ms: round(s.start - (traceStart.get(s.trace_id) ?? s.start)),
      children: [],
    });
  }
  const roots: SpanNode[] = [];
  for (const node of nodes.values()) {
    const parent = node.parent_id ? nodes.get(key(node.trace_id, node.parent_id)) : undefined;
    if (parent && parent !== node) parent.children.push(node);
    else roots.push(node);
  }
  return roots;
}

interface Line {
  tree: string;
  where: string;
  kind: string;
  duration: string;
  offset: string;
  error: string;
}

function flatten(node: SpanNode, lead: string, branch: string, out: Line[]): void {
  out.push({
    tree: `${lead}${branch}${node.name}`,
    where: `${node.service}@${node.host} (${node.pid})`,
    kind: node.kind,
    duration: formatDuration(node.duration_ms),
    offset: `+${formatDuration(node.offset_ms)}`,
    error: node.error ? `ERROR: ${node.error}` : "",
  });
  const childLead = lead + (branch === "" ? "" : branch === "└─ " ? "   " : "│  ");
  node.children.forEach((c, i) => {
    flatten(c, childLead, i === node.children.length - 1 ? "└─ " : "├─ ", out);
  });
}

/**
 * The text `os trace show` prints: per trace a header, then one aligned line per span —
 * name (indented by depth), service@host (pid), kind, duration, start offset, and the error if any.
 */
export function renderSpanForest(roots: SpanNode[]): string {
  const byTrace = new Map<string, SpanNode[]>();
  for (const r of roots) byTrace.set(r.trace_id, [...(byTrace.get(r.trace_id) ?? []), r]);
  const blocks: string[] = [];
  for (const [traceId, traceRoots] of byTrace) {
    const lines: Line[] = [];
    for (const r of traceRoots) flatten(r, "", "", lines);
    const first = traceRoots[0] as SpanNode;
    const end = Math.max(
      ...traceRoots.map(function last(n): number {
        return Math.max(n.offset_ms + n.duration_ms, ...n.children.map(last));
      }),
    );
    const header = `Trace ${traceId}  request ${first.request_id ?? "-"}  ${lines.length} span${lines.length === 1 ? "" : "s"}  ${formatDuration(end)}`;
    const cols: Array<keyof Line> = ["tree", "where", "kind", "duration", "offset"];
    const width = Object.fromEntries(cols.map((c) => [c, Math.max(...lines.map((l) => [...l[c]].length))])) as Record<keyof Line, number>;
    const pad = (text: string, w: number, right = false) => {
      const fill = " ".repeat(Math.max(0, w - [...text].length));
      return right ? fill + text : text + fill;
    };
    const body = lines.map((l) =>
      [
        pad(l.tree, width.tree),
        pad(l.where, width.where),
        pad(l.kind, width.kind),
        pad(l.duration, width.duration, true),
        pad(l.offset, width.offset, true),
        l.error,
      ]
        .join("  ")
        .trimEnd(),
    );
    blocks.push([header, ...body].join("\n"));
  }
  return blocks.join("\n\n");
}
