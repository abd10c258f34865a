import { afterAll, describe, expect, it } from "vitest";
import { percentile, summarize } from "../../src/bench/stats.js";
import { Broker } from "../../src/engine/common/rpc/broker.js";
import { RpcClient } from "../../src/engine/common/rpc/client.js";
import { RemoteError, excType } from "../../src/engine/common/rpc/errors.js";
import { RpcServer } from "../../src/engine/common/rpc/server.js";
import { TransportURLError, zmqEndpoint } from "../../src/engine/common/rpc/url.js";
import { versionIsCompatible } from "../../src/engine/common/rpc/version.js";
import type { SpanRecord } from "../../src/engine/common/trace/span.js";
import { configureTracer, withSpan } from "../../src/engine/common/trace/tracer.js";

describe("transport URLs", () => {
  it("maps zmq://host:port to a tcp endpoint and passes raw endpoints through", () => {
    expect(zmqEndpoint("zmq://127.0.0.1:5679")).toBe("tcp://127.0.0.1:5679");
    expect(zmqEndpoint("zmq://controller:5680/")).toBe("tcp://controller:5680");
    expect(zmqEndpoint("tcp://10.0.0.1:1")).toBe("tcp://10.0.0.1:1");
  });
  it("names the problem in a bad URL", () => {
    expect(() => zmqEndpoint("rabbit://guest@localhost:5672/")).toThrow(TransportURLError);
    expect(() => zmqEndpoint("zmq://127.0.0.1")).toThrow(/expected zmq:\/\/HOST:PORT/);
    expect(() => zmqEndpoint("zmq://127.0.0.1:70000")).toThrow(/out of range/);
  });
});

describe("RPC API versions", () => {
  it("accepts the same major with a lower or equal minor only", () => {
    expect(versionIsCompatible("6.0", "6.0")).toBe(true);
    expect(versionIsCompatible("6.3", "6.2")).toBe(true);
    expect(versionIsCompatible("6.0", "6.2")).toBe(false);
    expect(versionIsCompatible("6.0", "5.9")).toBe(false);
    expect(versionIsCompatible("5.0", "6.0")).toBe(false);
    expect(() => versionIsCompatible("6.0", "six")).toThrow(/invalid RPC version 'six'/);
  });
});

describe("in one process", () => {
  const spans: SpanRecord[] = [];
  let broker: Broker;
  let server: RpcServer;
  let client: RpcClient;
  afterAll(async () => {
    client?.close();
    await server?.stop();
    await broker?.close();
  });

  it("the server's span is a child of the caller's rpc span, named after the endpoint class", async () => {
    configureTracer({ service: "unit", host: "unit", sink: (s) => spans.push(s) });
    broker = new Broker();
    await broker.bind("zmq://127.0.0.1:0");
    class ConductorManager {
      schedule_and_build_instances(_ctx: unknown, args: { n: number }) {
        return args.n * 2;
      }
    }
    server = new RpcServer(broker.transportUrl, "conductor", new ConductorManager(), { host: "ctl", version: "1.25" });
    await server.start();
    client = new RpcClient(broker.transportUrl, { timeoutMs: 2000 });
    const result = await withSpan("ServersController.create", "wsgi", () =>
      client.call({ roles: [] }, "conductor", "schedule_and_build_instances", { n: 21 }, { version: "1.25" }),
    );
    expect(result).toBe(42);
    const api = spans.find((s) => s.name === "ServersController.create");
    const rpc = spans.find((s) => s.name === "conductor.schedule_and_build_instances");
    const handler = spans.find((s) => s.name === "ConductorManager.schedule_and_build_instances");
    expect(rpc?.parent_id).toBe(api?.span_id);
    expect(handler?.parent_id).toBe(rpc?.span_id);
    expect(new Set([api?.trace_id, rpc?.trace_id, handler?.trace_id]).size).toBe(1);
    expect(handler?.attributes).toMatchObject({ method: "schedule_and_build_instances", side: "server" });
  });
});

describe("errors", () => {
  it("excType gives the remote class name for a re-created error and the class name for a local one", () => {
    expect(excType(new RemoteError({ exc_type: "InstanceNotFound", message: "Instance x could not be found." }))).toBe("InstanceNotFound");
    expect(excType(new TypeError("x"))).toBe("TypeError");
  });
});

describe("bench statistics", () => {
  it("median, p95 and ops/s come from the samples", () => {
    const samples = Array.from({ length: 100 }, (_, i) => i + 1); // 1..100 ms
    expect(
      percentile(
        [...samples].sort((a, b) => a - b),
        50,
      ),
    ).toBe(50);
    const r = summarize("x", samples);
    expect(r.median_ms).toBe(50);
    expect(r.p95_ms).toBe(95);
    expect(r.ops_per_s).toBeCloseTo(1000 / 50.5, 5);
  });
});
