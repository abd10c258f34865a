import { RpcClient } from "../../engine/common/rpc/client.js";
import { spawnPeer } from "../peer.js";
import { type BenchRow, sample } from "../row.js";

/** RpcClient.call through the broker: client (here), broker and server are three processes. */
export const row: BenchRow = {
  name: "rpc.call_via_broker",
  floorOf: "zmq.dealer_router_roundtrip",
  target: { maxRatio: 2 },
  async run(budget) {
    const broker = await spawnPeer("engine/common/rpc/broker-main", ["--url", "zmq://127.0.0.1:0"]);
    const url = String(broker.ready.url);
    const server = await spawnPeer("bench/peers/rpc-server", [url]);
    const client = new RpcClient(url, { timeoutMs: 5000 });
    const ctx = { roles: ["admin"], user_id: "bench", project_id: "bench", request_id: "req-bench" };
    let n = 0;
    try {
      return await sample(budget, () => client.call(ctx, "conductor", "ping", { n: n++ }, { version: "6.0" }));
    } finally {
      client.close();
      await server.stop();
      await broker.stop();
    }
  },
};
