import { Dealer } from "zeromq";
import { spawnPeer } from "../peer.js";
import { type BenchRow, sample } from "../row.js";

/**
 * Raw ZeroMQ through a do-nothing forwarder: client, forwarder, server = 3 processes, 4 hops. The
 * structural cost of having a broker at all; rpc.call_via_broker cannot beat it.
 */
export const row: BenchRow = {
  name: "zmq.via_forwarder_3_procs",
  floorOf: "zmq.dealer_router_roundtrip",
  async run(budget) {
    const fwd = await spawnPeer("bench/peers/zmq-forwarder");
    const url = String(fwd.ready.url);
    const echo = await spawnPeer("bench/peers/zmq-dealer-echo", [url]);
    const sock = new Dealer({ linger: 0 });
    try {
      sock.connect(url);
      const payload = Buffer.from(JSON.stringify({ method: "ping", args: { n: 1 } }));
      return await sample(budget, async () => {
        await sock.send(payload);
        await sock.receive();
      });
    } finally {
      sock.close();
      await echo.stop();
      await fwd.stop();
    }
  },
};
