import type { SpanRecord } from "../../engine/common/trace/span.js";
import { toChromeTrace } from "./chrome.js";
import { toHtml } from "./html.js";
import { toOtlp } from "./otlp.js";

export const EXPORT_FORMATS = ["otlp", "chrome", "html"] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

/** The file text of one export format, and the extension its file gets. */
export function exportTrace(spans: SpanRecord[], format: ExportFormat): { text: string; extension: string } {
  switch (format) {
    case "otlp":
      return { text: `${JSON.stringify(toOtlp(spans), null, 2)}\n`, extension: "otlp.json" };
    case "chrome":
      return { text: `${JSON.stringify(toChromeTrace(spans))}\n`, extension: "chrome.json" };
    case "html":
      return { text: toHtml(spans), extension: "html" };
  }
}
