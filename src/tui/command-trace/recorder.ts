import { randomBytes, randomUUID } from "node:crypto";
import { hostname } from "node:os";
import type { ResolveOptions } from "../../client/auth-config.js";
import { Session } from "../../client/session.js";
import type { Body, RawResponse, Transport } from "../../client/transport.js";
import type { SpanRecord } from "../../engine/common/trace/span.js";

/** `--trace` opens the trace view; `--trace=text` prints the span tree. */
export const TRACE_MODES = ["tui", "text"] as const;
export type TraceMode = (typeof TRACE_MODES)[number];

/** The service name the command's own spans carry (its lane in the swimlane). */
export const CLIENT_SERVICE = "os";

/** One HTTP call the command made, as the client saw it. */
export interface ClientCall {
  spanId: string;
  method: string;
  url: string;
  start: number;
  end?: number;
  status?: number;
  /** The answering service's own request id (x-openstack-request-id of the response). */
  requestId?: string;
  error?: string;
}

const now = () => performance.timeOrigin + performance.now();
const spanId = () => randomBytes(8).toString("hex");

/**
 * What `--trace` needs from the command run: every HTTP call it made, each sent with one global request
 * id (X-OpenStack-Request-ID, as keystoneauth's global_request_id does), so the services tag every span
 * of the command with it and the trace store finds them all under that one id.
 */
export class CommandTraceRecorder {
  readonly globalRequestId = `req-${randomUUID()}`;
  /** The trace id the combined view is drawn under (the services' spans keep their own in the store). */
  readonly traceId = randomBytes(16).toString("hex");
  readonly rootSpanId = spanId();
  readonly start = now();
  readonly calls: ClientCall[] = [];
  private end?: number;
  private exitCode = 0;

  /** `command`: the oclif id with spaces ("server create"). */
  constructor(readonly command: string) {}

  /** Session.fromEnvironment, whose transport records each call and sends the global request id. */
  session(opts: ResolveOptions): Session {
    const session = Session.fromEnvironment(opts);
    // The session builds its transport from the auth settings (CA, client certificate, …): wrap that
    // one instance's send rather than build a second transport that could miss a setting.
    const transport = (session as unknown as { transport: Transport }).transport;
    const send = transport.send.bind(transport);
    transport.send = (method, url, headers, body, stream) => this.record(send, method, url, headers, body, stream);
    return session;
  }

  private async record(
    send: Transport["send"],
    method: string,
    url: string,
    headers: Record<string, string>,
    body: Body,
    stream?: boolean,
  ): Promise<RawResponse> {
    const call: ClientCall = { spanId: spanId(), method, url, start: now() };
    this.calls.push(call);
    try {
      const res = await send(method, url, { ...headers, "x-openstack-request-id": this.globalRequestId }, body, stream);
      call.status = res.status;
      const rid = res.headers["x-openstack-request-id"] ?? res.headers["x-compute-request-id"];
      call.requestId = Array.isArray(rid) ? rid[0] : rid;
      return res;
    } catch (err) {
      call.error = (err as Error).message;
      throw err;
    } finally {
      call.end = now();
    }
  }

  finish(exitCode: number): void {
    this.end ??= now();
    this.exitCode = exitCode;
  }

  /** The client's side as spans: the command itself, and one `http` span per call under it. */
  clientSpans(): SpanRecord[] {
    const base = { trace_id: this.traceId, request_id: this.globalRequestId, service: CLIENT_SERVICE, host: hostname(), pid: process.pid };
    const end = this.end ?? now();
    const root: SpanRecord = {
      ...base,
      span_id: this.rootSpanId,
      parent_id: null,
      name: `os ${this.command}`,
      kind: "internal",
      start: this.start,
      end,
      attributes: { command: this.command, exit_code: this.exitCode, global_request_id: this.globalRequestId },
      error: this.exitCode === 0 ? null : `exit code ${this.exitCode}`,
    };
    const calls = this.calls.map((c): SpanRecord => {
      const u = new URL(c.url);
      return {
        ...base,
        span_id: c.spanId,
        parent_id: this.rootSpanId,
        name: `${c.method} ${u.pathname}`,
        kind: "http",
        start: c.start,
        end: c.end ?? end,
        attributes: {
          "http.method": c.method,
          "http.url": `${u.origin}${u.pathname}${u.search}`,
          ...(c.status !== undefined ? { "http.status": c.status } : {}),
          ...(c.requestId ? { request_id: c.requestId } : {}),
        },
        error: c.error ?? (c.status !== undefined && c.status >= 500 ? `HTTP ${c.status}` : null),
      };
    });
    return [root, ...calls];
  }
}
