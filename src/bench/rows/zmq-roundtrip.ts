import { Dealer } from "zeromq";
import { spawnPeer } from "../peer.js";
import { type BenchRow, sample } from "../row.js";

/** Floor of the bus: one DEALER -> ROUTER -> DEALER round trip between two processes, no broker. */
export const row: BenchRow = {
  name: "zmq.dealer_router_roundtrip",
  async run(budget) {
    const peer = await spawnPeer("bench/peers/zmq-echo");
    const sock = new Dealer({ linger: 0 });
    try {
      sock.connect(String(peer.ready.url));
      const payload = Buffer.from(JSON.stringify({ method: "ping", args: { n: 1 } }));
      return await sample(budget, async () => {
        await sock.send(payload);
        await sock.receive();
      });
    } finally {
      sock.close();
      await peer.stop();
    }
  },
};
