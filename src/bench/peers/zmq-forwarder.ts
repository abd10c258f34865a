// The least a broker can do: a ROUTER that passes client frames to the one server and replies back,
// with no topics, queues or liveness. With zmq-dealer-echo it measures the cost of the extra hop alone.
import { Router } from "zeromq";

const sock = new Router({ linger: 0 });
await sock.bind("tcp://127.0.0.1:0");
process.stdout.write(`${JSON.stringify({ url: sock.lastEndpoint })}\n`);
let server: Buffer | undefined;
for await (const [id, first, second] of sock) {
  if (!id || !first) continue;
  if (first.toString() === "S") {
    server = id; // the server says hello; answering lets it tell the row it is ready (no lost first message)
    await sock.send([id, "S"]);
  } else if (server && id.equals(server))
    await sock.send([first, second ?? ""]); // [clientId, body] back
  else if (server) await sock.send([server, id, first]);
}
