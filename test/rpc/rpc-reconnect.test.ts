import { afterEach, describe, expect, it } from "vitest";
import { RpcClient } from "../../src/engine/common/rpc/client.js";
import { MessagingTimeout } from "../../src/engine/common/rpc/errors.js";
import { killAll, startBrokerProcess, startWorker } from "./fixtures/procs.js";

const ctx = { roles: ["admin"], request_id: "req-reconnect" };
const clients: RpcClient[] = [];
const newClient = (url: string, timeoutMs = 5000) => {
  const c = new RpcClient(url, { timeoutMs });
  clients.push(c);
  return c;
};

afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await killAll();
});

describe("a worker that disconnects and reconnects gets its messages again", () => {
  it("kill -9 mid-stream: what is sent while no server lives is queued and delivered to the new one", async () => {
    const { url } = await startBrokerProcess();
    const a = await startWorker(url, { topic: "compute", host: "n1", heartbeat: 200 });
    const client = newClient(url);

    for (let n = 1; n <= 10; n++) await client.cast(ctx, "compute.n1", "record", { n });
    await a.waitFor((l) => l.cast === 10, 3000);
    // Let A's acknowledgements reach the client first: delivery is at-least-once, so a cast whose ack dies
    // with the process is sent again — that case is not what this test is about.
    await new Promise((r) => setTimeout(r, 1000));
    await a.kill("SIGKILL");

    for (let n = 11; n <= 20; n++) await client.cast(ctx, "compute.n1", "record", { n });
    // A call made while the topic has no live server waits in the queue, not failing.
    const pending = client.call<{ pid: number }>(ctx, "compute.n1", "whoami");
    await new Promise((r) => setTimeout(r, 300));

    const b = await startWorker(url, { topic: "compute", host: "n1", heartbeat: 200 });
    const who = await pending;
    expect(who.pid).toBe(b.child.pid);
    await b.waitFor((l) => l.cast === 20, 3000);
    const seenByA = a.lines.filter((l) => "cast" in l).map((l) => l.cast);
    const seenByB = b.lines.filter((l) => "cast" in l).map((l) => l.cast);
    expect(seenByA).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(seenByB).toEqual([11, 12, 13, 14, 15, 16, 17, 18, 19, 20]);
  });

  it("a queued call still times out on the caller's side, and the expired message is dropped", async () => {
    const { url } = await startBrokerProcess();
    const a = await startWorker(url, { topic: "compute", host: "n2", heartbeat: 200 });
    await a.kill("SIGKILL");
    const client = newClient(url);
    const err = await client.call(ctx, "compute.n2", "record", { n: "late" }, { timeoutMs: 400 }).catch((e) => e);
    expect(err).toBeInstanceOf(MessagingTimeout);
    await new Promise((r) => setTimeout(r, 300)); // past its expiry on the broker too
    const b = await startWorker(url, { topic: "compute", host: "n2", heartbeat: 200 });
    expect(await client.call(ctx, "compute.n2", "add", { a: 1, b: 2 })).toBe(3);
    expect(b.lines.some((l) => l.cast === "late")).toBe(false);
  });

  it("a hung server (SIGSTOP) is declared dead after missed heartbeats and its topic's calls go to the others", async () => {
    const { url } = await startBrokerProcess();
    const [a, b] = await Promise.all([
      startWorker(url, { topic: "scheduler", host: "s1", heartbeat: 200 }),
      startWorker(url, { topic: "scheduler", host: "s2", heartbeat: 200 }),
    ]);
    const client = newClient(url, 2000);
    a.child.kill("SIGSTOP");
    try {
      await new Promise((r) => setTimeout(r, 1000)); // > 3 heartbeats of 200 ms
      for (let i = 0; i < 4; i++) {
        const who = await client.call<{ pid: number }>(ctx, "scheduler", "whoami");
        expect(who.pid).toBe(b.child.pid);
      }
    } finally {
      a.child.kill("SIGCONT");
    }
  });

  it("a server re-registers by itself when the broker restarts on the same address", async () => {
    const first = await startBrokerProcess();
    const port = first.url.split(":").pop();
    await startWorker(first.url, { topic: "conductor", host: "c1", heartbeat: 200 });
    await first.proc.kill("SIGKILL");
    await startBrokerProcess(`zmq://127.0.0.1:${port}`);
    const client = newClient(first.url, 3000);
    // Until the worker's next heartbeat the new broker does not know the topic; then it does.
    let result: unknown;
    for (let i = 0; i < 20 && result === undefined; i++) {
      result = await client.call(ctx, "conductor", "add", { a: 20, b: 22 }).catch(() => undefined);
      if (result === undefined) await new Promise((r) => setTimeout(r, 100));
    }
    expect(result).toBe(42);
  });

  it("a cast sent to a bus that has just restarted, before the server re-registered, reaches it once it has", async () => {
    const first = await startBrokerProcess();
    const port = first.url.split(":").pop();
    // A slow heartbeat: the new bus learns of the worker only after the casts below were sent.
    const worker = await startWorker(first.url, { topic: "compute", host: "r1", heartbeat: 1500 });
    await first.proc.kill("SIGKILL");
    await startBrokerProcess(`zmq://127.0.0.1:${port}`);
    const client = newClient(first.url, 8000);
    for (let n = 1; n <= 3; n++) await client.cast(ctx, "compute.r1", "record", { n });
    // A call to a topic no server has registered still fails at once (not queued behind the casts).
    const err = await client.call(ctx, "compute.r1", "whoami").catch((e) => e);
    expect(err?.name).toBe("MessageDeliveryFailure");
    await worker.waitFor((l) => l.cast === 3, 6000);
    expect(worker.lines.filter((l) => "cast" in l).map((l) => l.cast)).toEqual([1, 2, 3]);
    expect(await client.call(ctx, "compute.r1", "add", { a: 1, b: 2 })).toBe(3);
  });
});
