import type { SpanRecord } from "../../engine/common/trace/span.js";
import { explain } from "../data/explain.js";
import { shortDuration } from "../data/text.js";
import { buildWaterfall } from "../data/waterfall.js";

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

const KIND_COLOR: Record<string, string> = {
  wsgi: "#3b82f6",
  http: "#06b6d4",
  rpc: "#a855f7",
  db: "#eab308",
  driver: "#22c55e",
  internal: "#94a3b8",
};

/**
 * A self-contained HTML page with the trace's waterfall (no scripts or files from elsewhere): the bars
 * are laid out here, so the page reads fine without JavaScript; a few lines of script open a span's
 * details on click.
 */
export function toHtml(spans: SpanRecord[], opts: { title?: string } = {}): string {
  const { rows, total } = buildWaterfall(spans);
  const root = rows[0]?.span;
  const title = opts.title ?? (root ? `${root.name} — ${root.request_id ?? root.trace_id}` : "empty trace");
  const pct = (ms: number) => (total > 0 ? ((ms / total) * 100).toFixed(3) : "0");
  const body = rows
    .map((r, i) => {
      const s = r.span;
      const attrs = Object.entries(s.attributes)
        .map(([k, v]) => `<tr><th>${esc(k)}</th><td>${esc(typeof v === "string" ? v : JSON.stringify(v))}</td></tr>`)
        .join("");
      const about = explain(s);
      return `<div class="row${s.error ? " err" : ""}" data-i="${i}">
  <div class="name" style="padding-left:${r.depth * 14 + 6}px" title="${esc(s.name)}">${esc(s.name)}</div>
  <div class="svc">${esc(s.service)}</div>
  <div class="lane"><div class="bar" style="left:${pct(s.offset_ms)}%;width:max(2px,${pct(s.duration_ms)}%);background:${s.error ? "#dc2626" : (KIND_COLOR[s.kind] ?? "#94a3b8")}"></div></div>
  <div class="dur">${esc(shortDuration(s.duration_ms))}</div>
</div>
<div class="detail" id="d${i}" hidden>
  <p><b>${esc(s.service)}</b>@${esc(s.host)} pid ${s.pid} · ${esc(s.kind)} · +${esc(shortDuration(s.offset_ms))} · span ${esc(s.span_id)}</p>
  ${s.error ? `<p class="errtext">${esc(s.error)}</p>` : ""}${about ? `<p class="about">${esc(about)}</p>` : ""}
  <table>${attrs}</table>
</div>`;
    })
    .join("\n");
  const services = [...new Set(spans.map((s) => s.service))];
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${esc(title)}</title>
<style>
:root{color-scheme:light;font:13px/1.4 system-ui,-apple-system,"Segoe UI",sans-serif}
body{margin:0;background:#f8fafc;color:#0f172a}
header{padding:16px 20px;background:#0f172a;color:#f8fafc}
header h1{margin:0 0 4px;font-size:17px}
header p{margin:0;color:#cbd5e1}
.legend span{display:inline-block;margin-right:12px}.legend i{display:inline-block;width:10px;height:10px;margin-right:4px;border-radius:2px}
main{padding:12px 20px}
.row{display:grid;grid-template-columns:minmax(220px,34%) 120px 1fr 80px;align-items:center;min-height:22px;border-bottom:1px solid #e2e8f0;cursor:pointer}
.row:hover{background:#eef2ff}
.row.err .name{color:#dc2626;font-weight:600}
.name{white-space:nowrap;overflow:hidden;text-overflow:ellipsis;font-family:ui-monospace,Menlo,monospace}
.svc{color:#475569;font-size:12px}
.lane{position:relative;height:12px;background:#f1f5f9;border-radius:3px}
.bar{position:absolute;top:0;height:12px;border-radius:3px}
.dur{text-align:right;font-variant-numeric:tabular-nums;color:#334155}
.detail{margin:4px 0 8px 24px;padding:8px 12px;background:#fff;border:1px solid #cbd5e1;border-radius:6px}
.detail table{border-collapse:collapse}.detail th{text-align:left;padding-right:12px;color:#475569;font-weight:500;vertical-align:top}
.detail td{font-family:ui-monospace,Menlo,monospace;word-break:break-all}
.about{color:#15803d}.errtext{color:#dc2626}
</style></head>
<body>
<header><h1>${esc(title)}</h1>
<p>trace ${esc(root?.trace_id ?? "-")} · ${rows.length} spans · ${esc(shortDuration(total))} · ${esc(services.join(", "))}</p>
<p class="legend">${Object.entries(KIND_COLOR)
    .map(([k, c]) => `<span><i style="background:${c}"></i>${k}</span>`)
    .join("")}<span><i style="background:#dc2626"></i>error</span></p>
</header>
<main>
${body}
</main>
<script>
for (const row of document.querySelectorAll(".row")) row.addEventListener("click", () => {
  const d = document.getElementById("d" + row.dataset.i); if (d) d.hidden = !d.hidden;
});
</script>
</body></html>
`;
}
