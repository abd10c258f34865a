import { Dealer } from "zeromq";
import { afterAll, describe, expect, it } from "vitest";
import { Broker } from "../../src/engine/common/rpc/broker.js";
import { RpcServer } from "../../src/engine/common/rpc/server.js";

// Under load the bus can hand a server the same message twice (it dropped the server for missed
// heartbeats and re-routed what was unacknowledged, while the first copy still waited in the server's
// socket). A non-idempotent call — an instance save with an expected task state — must run once: the
// repeat gets the first run's reply. This is what put a server of the 1,000-servers run in ERROR.

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("a message delivered twice runs once", () => {
  let broker: Broker | undefined;
  let server: RpcServer | undefined;
  let dealer: Dealer | undefined;
  afterAll(async () => {
    dealer?.close();
    await server?.stop();
    await broker?.close();
  });

  it("a repeated call gets the first reply without a second run; a repeated cast is dropped", async () => {
    broker = new Broker();
    await broker.bind("zmq://127.0.0.1:0");
    let saves = 0;
    let casts = 0;
    let taskState: string | null = null;
    class Conductor {
      // Like instance_update with expected_task_state: a second run would fail.
      async instance_update(_ctx: unknown, args: { expected: string | null; task_state: string }) {
        await sleep(30); // still running when the repeat arrives
        saves++;
        if (taskState !== args.expected) throw new Error(`Conflict: expected ${args.expected}, actual ${taskState}`);
        taskState = args.task_state;
        return { task_state: taskState, saves };
      }
      ping_cast() {
        casts++;
      }
    }
    server = new RpcServer(broker.transportUrl, "conductor", new Conductor(), { host: "ctl", directHost: "127.0.0.1" });
    await server.start();
    const endpoint = server.directEndpoint;
    expect(endpoint).toMatch(/^tcp:\/\/127\.0\.0\.1:\d+$/);
    dealer = new Dealer({ linger: 0 });
    dealer.connect(endpoint as string);
    const body = JSON.stringify({ method: "instance_update", args: { expected: null, task_state: "networking" }, ctx: { roles: [] } });
    const msg = (verb: string, id: string, b: string) => `${verb}\t${id}\t30000\n${b}`;
    // The same call twice while the first is running, then once more after it answered.
    await dealer.send(msg("c", "client1-7", body));
    await dealer.send(msg("c", "client1-7", body));
    const replies: Array<{ header: string; body: unknown }> = [];
    const read = async (n: number) => {
      while (replies.length < n) {
        const [frame] = await dealer!.receive();
        const text = frame?.toString() ?? "";
        if (text.startsWith("a\t")) continue; // acknowledgements
        const nl = text.indexOf("\n");
        replies.push({ header: text.slice(0, nl), body: JSON.parse(text.slice(nl + 1)) });
      }
    };
    await read(2);
    await dealer.send(msg("c", "client1-7", body));
    await read(3);
    expect(replies.map((r) => r.header)).toEqual(["r\tclient1-7", "r\tclient1-7", "r\tclient1-7"]);
    for (const r of replies) expect(r.body).toEqual({ result: { task_state: "networking", saves: 1 } });
    expect(saves).toBe(1);

    // A different message id is a new message: it runs (and here fails on the task state, as it should).
    await dealer.send(msg("c", "client1-8", body));
    await read(4);
    expect((replies[3]?.body as { error?: { message: string } } | undefined)?.error?.message).toMatch(
      /Conflict: expected null, actual networking/,
    );
    expect(saves).toBe(2);

    const cast = JSON.stringify({ method: "ping_cast", args: {}, ctx: { roles: [] } });
    await dealer.send(msg("s", "client1-9", cast));
    await dealer.send(msg("s", "client1-9", cast));
    await sleep(100);
    expect(casts).toBe(1);
  });
});
