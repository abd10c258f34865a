import { afterEach, describe, expect, it } from "vitest";
import { RpcClient } from "../../src/engine/common/rpc/client.js";
import { MessageDeliveryFailure } from "../../src/engine/common/rpc/errors.js";
import { killAll, startBrokerProcess, startWorker } from "./fixtures/procs.js";

// The direct path: the broker is the registry; once a client knows a topic's live servers it sends to
// them straight, and falls back to the broker (and its queue) when they go away.
const ctx = { roles: ["admin"], request_id: "req-direct" };
const clients: RpcClient[] = [];
const newClient = (url: string, timeoutMs = 5000) => {
  const c = new RpcClient(url, { timeoutMs });
  clients.push(c);
  return c;
};
const routed = async (c: RpcClient) => ((await c.ping(2000)) as { routed: number }).routed;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Call until the broker stops seeing our calls (the client has switched to the direct path). */
async function untilDirect(c: RpcClient, topic: string): Promise<void> {
  for (let i = 0; i < 50; i++) {
    const before = await routed(c);
    await c.call(ctx, topic, "add", { a: 1, b: 1 });
    if ((await routed(c)) === before) return;
    await sleep(20);
  }
  throw new Error(`calls to ${topic} still go through the broker`);
}

afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await killAll();
});

describe("direct path", () => {
  it("after the first messages, calls bypass the broker: they work while the broker is frozen", async () => {
    const broker = await startBrokerProcess();
    const w = await startWorker(broker.url, { topic: "conductor", host: "c1" });
    expect(String(w.lines[0]?.endpoint)).toMatch(/^tcp:\/\/127\.0\.0\.1:\d+$/);
    const client = newClient(broker.url, 2000);
    await untilDirect(client, "conductor");
    const before = await routed(client);
    for (let i = 0; i < 20; i++) expect(await client.call(ctx, "conductor", "add", { a: i, b: 1 })).toBe(i + 1);
    expect(await routed(client)).toBe(before);

    broker.proc.child.kill("SIGSTOP");
    try {
      const who = await client.call<{ pid: number }>(ctx, "conductor", "whoami");
      expect(who.pid).toBe(w.child.pid);
    } finally {
      broker.proc.child.kill("SIGCONT");
    }
    // A topic nobody ever served still fails at once (the broker decides that).
    await expect(client.call(ctx, "conductor.nohost", "whoami")).rejects.toBeInstanceOf(MessageDeliveryFailure);
  });

  it("a server advertising another host address is reached there", async () => {
    const broker = await startBrokerProcess();
    const w = await startWorker(broker.url, { topic: "compute", host: "n7", directHost: "127.0.0.7" });
    expect(String(w.lines[0]?.endpoint)).toMatch(/^tcp:\/\/127\.0\.0\.7:\d+$/);
    const client = newClient(broker.url, 2000);
    await untilDirect(client, "compute.n7");
    broker.proc.child.kill("SIGSTOP");
    try {
      expect(await client.call(ctx, "compute.n7", "add", { a: 40, b: 2 })).toBe(42);
    } finally {
      broker.proc.child.kill("SIGCONT");
    }
  });

  it("a server without a direct endpoint is still served through the broker", async () => {
    const broker = await startBrokerProcess();
    const w = await startWorker(broker.url, { topic: "scheduler", host: "s1", directHost: "none" });
    expect(w.lines[0]?.endpoint).toBeNull();
    const client = newClient(broker.url, 2000);
    const before = await routed(client);
    for (let i = 0; i < 5; i++) expect(await client.call(ctx, "scheduler", "add", { a: i, b: 0 })).toBe(i);
    expect((await routed(client)) - before).toBe(5);
  });

  it("casts keep their order while the client switches from the broker to the direct path", async () => {
    const broker = await startBrokerProcess();
    const w = await startWorker(broker.url, { topic: "compute", host: "o1" });
    const client = newClient(broker.url);
    for (let n = 1; n <= 300; n++) {
      await client.cast(ctx, "compute.o1", "record", { n });
      if (n % 25 === 0) await sleep(2); // let the listing and the connection arrive mid-stream
    }
    await w.waitFor((l) => l.cast === 300, 5000);
    const seen = w.lines.filter((l) => "cast" in l).map((l) => l.cast);
    expect(seen).toEqual(Array.from({ length: 300 }, (_, i) => i + 1));
    expect(await routed(client)).toBeLessThan(300); // most of them went direct
  });

  it("server death mid-stream: what it had not acknowledged, and what follows, waits in the broker's queue", async () => {
    const broker = await startBrokerProcess();
    const a = await startWorker(broker.url, { topic: "compute", host: "d1", heartbeat: 200 });
    const client = newClient(broker.url);
    await untilDirect(client, "compute.d1");
    for (let n = 1; n <= 5; n++) await client.cast(ctx, "compute.d1", "record", { n });
    await a.waitFor((l) => l.cast === 5, 3000);
    const routedBefore = await routed(client);

    await a.kill("SIGKILL");
    for (let n = 6; n <= 10; n++) await client.cast(ctx, "compute.d1", "record", { n });
    const pending = client.call<{ pid: number }>(ctx, "compute.d1", "whoami");
    await sleep(1500); // > 3 heartbeats + a sweep: the broker has declared it dead
    const stats = (await client.ping()) as { routed: number; topics: Record<string, { servers: number; queued: number }> };
    expect(stats.topics["compute.d1"]).toEqual({ servers: 0, queued: 6 });
    expect(stats.routed - routedBefore).toBe(6);

    const b = await startWorker(broker.url, { topic: "compute", host: "d1", heartbeat: 200 });
    expect((await pending).pid).toBe(b.child.pid);
    await b.waitFor((l) => l.cast === 10, 3000);
    expect(b.lines.filter((l) => "cast" in l).map((l) => l.cast)).toEqual([6, 7, 8, 9, 10]);
    // And the client goes direct to the new server.
    await untilDirect(client, "compute.d1");
  });
});
