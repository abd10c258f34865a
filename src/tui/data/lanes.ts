import type { SpanRecord } from "../../engine/common/trace/span.js";
import { explain } from "./explain.js";

/**
 * The swimlane model: one lane per process role (nova-api, keystone, …, nova-compute@host, hypervisor)
 * and, in time order, the hops between them — an HTTP request or RPC call/cast is an arrow from the
 * caller's lane to the callee's, a call's answer is an arrow back — plus markers for the well-known
 * steps inside one lane. This is the shape of the sequence diagrams in the seed's chapters.
 */
export interface SwimEvent {
  /** Milliseconds from the start of the trace. */
  at: number;
  /** -1 means "from outside" (the client that sent the request). */
  from: number;
  to: number;
  /** `local`: an in-process call that crosses lanes (nova-compute handing the guest to the hypervisor). */
  kind: "request" | "http" | "call" | "cast" | "local" | "reply" | "step";
  label: string;
  /** The span the detail pane shows when this event is selected. */
  span: SpanRecord;
  error: boolean;
}

export interface Swimlane {
  lanes: string[];
  events: SwimEvent[];
}

// "os": the CLI's own lane when a command runs with --trace (it calls the APIs, so it comes first).
const ORDER = ["os", "nova-api", "keystone", "glance", "placement", "nova-conductor", "nova-scheduler", "nova-compute", "hypervisor"];

/** A client span (outgoing HTTP, RPC call/cast) belongs to whoever made the call in the same process. */
const isClient = (s: SpanRecord) => s.kind === "http" || (s.kind === "rpc" && s.attributes.side !== "server");

function laneNamer(spans: SpanRecord[]): (s: SpanRecord) => string {
  const byId = new Map(spans.map((s) => [s.span_id, s]));
  const hostsOf = new Map<string, Set<string>>();
  for (const s of spans) {
    const set = hostsOf.get(s.service) ?? new Set<string>();
    set.add(s.host);
    hostsOf.set(s.service, set);
  }
  const own = (s: SpanRecord): string => {
    // The driver's work runs inside nova-compute but stands for the hypervisor, as in the diagrams.
    if (s.kind === "driver") return (hostsOf.get(s.service)?.size ?? 0) > 1 ? `hypervisor@${s.host}` : "hypervisor";
    const perHost = s.service.startsWith("nova-compute") || (hostsOf.get(s.service)?.size ?? 0) > 1;
    return perHost ? `${s.service}@${s.host}` : s.service;
  };
  const memo = new Map<string, string>();
  const lane = (s: SpanRecord): string => {
    let l = memo.get(s.span_id);
    if (l === undefined) {
      const parent = s.parent_id ? byId.get(s.parent_id) : undefined;
      l = isClient(s) && parent && parent.pid === s.pid && parent.host === s.host ? lane(parent) : own(s);
      memo.set(s.span_id, l);
    }
    return l;
  };
  return lane;
}

const rank = (lane: string) => {
  const base = lane.split("@")[0] ?? lane;
  // nova-api's spans carry the service name "nova" in a running cloud (its paste app's name).
  const i = ORDER.indexOf(base === "nova" ? "nova-api" : base);
  return i < 0 ? ORDER.length - 1.5 : i; // unknown services sit just before the hypervisor
};

export function buildSwimlane(spans: SpanRecord[]): Swimlane {
  if (spans.length === 0) return { lanes: [], events: [] };
  const sorted = [...spans].sort((a, b) => a.start - b.start);
  const t0 = sorted[0]?.start ?? 0;
  const laneOf = laneNamer(sorted);
  const firstSeen = new Map<string, number>();
  sorted.forEach((s, i) => {
    const l = laneOf(s);
    if (!firstSeen.has(l)) firstSeen.set(l, i);
  });
  const lanes = [...firstSeen.keys()].sort((a, b) => rank(a) - rank(b) || (firstSeen.get(a) ?? 0) - (firstSeen.get(b) ?? 0));
  const idx = (s: SpanRecord) => lanes.indexOf(laneOf(s));
  const byId = new Map(sorted.map((s) => [s.span_id, s]));

  const events: SwimEvent[] = [];
  for (const s of sorted) {
    const parent = s.parent_id ? byId.get(s.parent_id) : undefined;
    const here = idx(s);
    const failed = s.error !== null;
    if (!parent) {
      if (s.kind === "wsgi") events.push({ at: s.start - t0, from: -1, to: here, kind: "request", label: s.name, span: s, error: failed });
      else events.push({ at: s.start - t0, from: here, to: here, kind: "step", label: s.name, span: s, error: failed });
      continue;
    }
    const there = idx(parent);
    if (there !== here) {
      const rpcKind = parent.kind === "rpc" ? String(parent.attributes.kind ?? "call") : undefined;
      const kind: SwimEvent["kind"] =
        rpcKind === "cast" || rpcKind === "fanout" ? "cast" : rpcKind ? "call" : parent.kind === "http" ? "http" : "local";
      // Name the hop the way the caller does: "POST /v3/auth/tokens" or "select_destinations (call)".
      const label =
        parent.kind === "http" || parent.kind === "rpc"
          ? kind === "http"
            ? s.name
            : `${String(parent.attributes.method ?? parent.name)} (${kind})`
          : s.name;
      events.push({ at: s.start - t0, from: there, to: here, kind, label, span: s, error: failed });
      if (kind !== "cast") {
        const status = s.attributes["http.status"];
        const reply = kind === "http" ? (status !== undefined ? String(status) : "response") : kind === "local" ? "returned" : "reply";
        events.push({ at: s.end - t0, from: here, to: there, kind: "reply", label: failed ? `${reply} ✗` : reply, span: s, error: failed });
      }
    } else if (!isClient(s) && !(s.kind === "rpc" && parent.kind === "rpc") && (explain(s) || failed)) {
      events.push({ at: s.start - t0, from: here, to: here, kind: "step", label: s.name, span: s, error: failed });
    }
  }
  events.sort((a, b) => a.at - b.at);
  return { lanes, events };
}
