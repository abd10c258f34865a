import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RequestContext } from "../../src/engine/common/context.js";
import { RpcClient } from "../../src/engine/common/rpc/client.js";
import {
  MessageDeliveryFailure,
  MessagingTimeout,
  NoSuchMethod,
  RemoteError,
  UnsupportedVersion,
} from "../../src/engine/common/rpc/errors.js";
import { configureTracer } from "../../src/engine/common/trace/tracer.js";
import type { SpanRecord } from "../../src/engine/common/trace/span.js";
import { type Proc, killAll, startBrokerProcess, startWorker } from "./fixtures/procs.js";

// Broker (broker-main.ts), two workers on topic "compute" (hosts h1, h2) and the client (this process):
// four real processes talking over TCP on 127.0.0.1.
let url: string;
let h1: Proc;
let h2: Proc;
let client: RpcClient;
const spans: SpanRecord[] = [];
const ctx: RequestContext = {
  user_id: "u-123",
  project_id: "p-456",
  roles: ["member", "reader"],
  request_id: "req-11111111-2222-3333-4444-555555555555",
};

beforeAll(async () => {
  configureTracer({ service: "test-client", host: "test", sink: (s) => spans.push(s) });
  ({ url } = await startBrokerProcess());
  [h1, h2] = await Promise.all([startWorker(url, { topic: "compute", host: "h1" }), startWorker(url, { topic: "compute", host: "h2" })]);
  client = new RpcClient(url, { timeoutMs: 3000 });
});

afterAll(async () => {
  client?.close();
  await killAll();
});

describe("RPC between processes", () => {
  it("call returns the remote result, with the request context delivered", async () => {
    expect(await client.call(ctx, "compute.h1", "add", { a: 2, b: 40 })).toBe(42);
    const who = await client.call<Record<string, unknown>>(ctx, "compute.h1", "whoami");
    expect(who).toMatchObject({ host: "h1", pid: h1.child.pid, user_id: "u-123", roles: ["member", "reader"], request_id: ctx.request_id });
  });

  it("the trace crosses the process boundary: the server span continues the client's rpc span", async () => {
    spans.length = 0;
    const who = await client.call<{ trace: { traceId: string; spanId: string } }>(ctx, "compute.h2", "whoami", {}, { version: "6.0" });
    const span = spans.find((s) => s.name === "compute.whoami");
    expect(span).toMatchObject({ kind: "rpc", attributes: { topic: "compute.h2", method: "whoami", version: "6.0", kind: "call" } });
    expect(who.trace.traceId).toBe(span?.trace_id);
    expect(who.trace.spanId).not.toBe(span?.span_id); // the server ran in its own child span
  });

  it("calls to a shared topic are spread round-robin over its servers", async () => {
    const hosts = new Set<string>();
    for (let i = 0; i < 6; i++) hosts.add((await client.call<{ host: string }>(ctx, "compute", "whoami")).host);
    expect([...hosts].sort()).toEqual(["h1", "h2"]);
  });

  it("cast is delivered to one server; fanout to every server", async () => {
    await client.cast(ctx, "compute.h2", "record", { n: "cast-1" });
    await h2.waitFor((l) => l.cast === "cast-1", 3000);
    expect(h1.lines.some((l) => l.cast === "cast-1")).toBe(false);

    await client.fanout(ctx, "compute", "record", { n: "fan-1" });
    await Promise.all([h1.waitFor((l) => l.cast === "fan-1", 3000), h2.waitFor((l) => l.cast === "fan-1", 3000)]);
  });

  it("a remote exception comes back with its type name and message", async () => {
    const err = await client.call(ctx, "compute", "select_destinations").catch((e) => e);
    expect(err).toBeInstanceOf(RemoteError);
    expect(err.exc_type).toBe("NoValidHost");
    expect(err.name).toBe("NoValidHost");
    expect(err.message).toBe("No valid host was found. There are not enough hosts available.");
    expect(err.data.code).toBe(400);
  });

  it("a call that gets no reply in time fails with MessagingTimeout", async () => {
    const t0 = Date.now();
    const err = await client.call(ctx, "compute.h1", "sleep", { ms: 1500 }, { timeoutMs: 300 }).catch((e) => e);
    expect(err).toBeInstanceOf(MessagingTimeout);
    expect(err.message).toMatch(/^Timed out waiting for a reply to message ID [0-9a-f]+$/);
    expect(Date.now() - t0).toBeLessThan(1200);
  });

  it("a topic nobody serves fails at once with MessageDeliveryFailure, never hangs", async () => {
    const t0 = Date.now();
    const err = await client.call(ctx, "compute.nohost", "whoami").catch((e) => e);
    expect(err).toBeInstanceOf(MessageDeliveryFailure);
    expect(err.message).toBe("no server is listening on topic 'compute.nohost'");
    expect(Date.now() - t0).toBeLessThan(1000);
  });

  it("a newer minor version than the server's is refused; same major, lower or equal minor is accepted", async () => {
    expect(await client.call(ctx, "compute.h1", "add", { a: 1, b: 1 }, { version: "6.0" })).toBe(2);
    expect(await client.call(ctx, "compute.h1", "add", { a: 1, b: 1 }, { version: "6" })).toBe(2);
    const newer = await client.call(ctx, "compute.h1", "add", { a: 1, b: 1 }, { version: "6.2" }).catch((e) => e);
    expect(newer).toBeInstanceOf(UnsupportedVersion);
    expect(newer.message).toContain("Endpoint does not support RPC version 6.2. Attempted method: add");
    const otherMajor = await client.call(ctx, "compute.h1", "add", { a: 1, b: 1 }, { version: "5.0" }).catch((e) => e);
    expect(otherMajor).toBeInstanceOf(UnsupportedVersion);
  });

  it("an unknown method fails with NoSuchMethod, and private methods are not callable", async () => {
    await expect(client.call(ctx, "compute.h1", "reboot_the_world")).rejects.toBeInstanceOf(NoSuchMethod);
    await expect(client.call(ctx, "compute.h1", "constructor")).rejects.toBeInstanceOf(NoSuchMethod);
  });

  it("the broker answers a ping with its topics", async () => {
    const stats = (await client.ping()) as { topics: Record<string, { servers: number }> };
    expect(stats.topics.compute?.servers).toBe(2);
    expect(stats.topics["compute.h1"]?.servers).toBe(1);
  });
});
