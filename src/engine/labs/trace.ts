import { layout } from "../common/paths.js";
import { type RequestSummary, TraceDatabaseMissing, openTraceReader } from "../common/trace/queries.js";
import type { SpanRecord } from "../common/trace/span.js";
import { buildSpanForest, renderSpanForest } from "../common/trace/tree.js";
import type { TraceSpec } from "./schema.js";

/**
 * The trace of a step's request, as `os trace show <request id>` prints it. An http step knows its
 * request id from the response; for an os step we look for the requests that reached the cloud while
 * it ran and take the first that changed something (POST/PUT/PATCH/DELETE, not a token request), or
 * the one the lab names by method and path. Spans reach the collector a little after the response,
 * so we wait until the trace stops growing.
 */
export interface StepTrace {
  requestId: string;
  text: string;
  spanNames: string[];
  /** Span names the lab expects that the trace lacks. */
  missing: string[];
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const AUTH = /\/auth\/tokens$/;

function pick(requests: RequestSummary[], from: number, to: number, spec: TraceSpec): RequestSummary | undefined {
  const during = requests.filter((r) => r.start >= from - 5 && r.start <= to).sort((a, b) => a.start - b.start);
  const path = spec.path ? new RegExp(spec.path) : undefined;
  const named = during.filter((r) => (!spec.method || r.method === spec.method.toUpperCase()) && (!path || path.test(r.path ?? "")));
  if (spec.method || path) return named[0];
  const notAuth = during.filter((r) => !AUTH.test(r.path ?? ""));
  return notAuth.find((r) => r.method !== "GET" && r.method !== "HEAD") ?? notAuth[0];
}

function load(stateDir: string, find: (reader: ReturnType<typeof openTraceReader>) => SpanRecord[] | undefined): SpanRecord[] | undefined {
  let reader: ReturnType<typeof openTraceReader>;
  try {
    reader = openTraceReader(layout(stateDir).db("trace"));
  } catch (err) {
    if (err instanceof TraceDatabaseMissing) return undefined;
    throw err;
  }
  try {
    return find(reader);
  } finally {
    reader.close();
  }
}

export async function stepTrace(
  stateDir: string,
  window: { from: number; to: number; requestId?: string },
  spec: TraceSpec,
  timeoutMs = 8000,
): Promise<StepTrace | { error: string }> {
  const deadline = Date.now() + timeoutMs;
  let requestId = window.requestId;
  let last = -1;
  let spans: SpanRecord[] = [];
  while (Date.now() < deadline) {
    const found = load(stateDir, (reader) => {
      if (!requestId) requestId = pick(reader.listRequests({ limit: 200 }), window.from, window.to, spec)?.request_id ?? undefined;
      return requestId ? reader.findSpans(requestId) : undefined;
    });
    if (found && found.length > 0) {
      const names = new Set(found.map((s) => s.name));
      const complete = (spec.contains ?? []).every((n) => names.has(n));
      // Done when every expected span is in and two reads 400 ms apart agree.
      if (complete && found.length === last) {
        spans = found;
        break;
      }
      last = found.length;
      spans = found;
    }
    await sleep(400);
  }
  if (!requestId || spans.length === 0) {
    const what = spec.method || spec.path ? `${spec.method ?? ""} ${spec.path ?? ""}`.trim() : "a request";
    return { error: `no trace of ${what} from this step was collected (is [trace] enabled?)` };
  }
  const names = [...new Set(spans.map((s) => s.name))];
  const text = renderSpanForest(buildSpanForest(spans));
  return { requestId, text, spanNames: names, missing: (spec.contains ?? []).filter((n) => !names.includes(n)) };
}
