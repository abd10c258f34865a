// Server side of the forwarder row: a DEALER that says hello, then echoes [clientId, body].
import { Dealer } from "zeromq";

const sock = new Dealer({ linger: 0 });
sock.connect(process.argv[2] ?? "");
await sock.send("S");
process.stdout.write(`${JSON.stringify({ ready: true })}\n`);
for await (const [clientId, body] of sock) await sock.send([clientId ?? "", body ?? ""]);
