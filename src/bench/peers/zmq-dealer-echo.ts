// Server side of the forwarder row: a DEALER that says hello (and waits for the answer), then echoes [clientId, body].
import { Dealer } from "zeromq";

const sock = new Dealer({ linger: 0 });
sock.connect(process.argv[2] ?? "");
await sock.send("S");
await sock.receive(); // the forwarder knows us: client messages will not be dropped
process.stdout.write(`${JSON.stringify({ ready: true })}\n`);
for await (const [clientId, body] of sock) await sock.send([clientId ?? "", body ?? ""]);
