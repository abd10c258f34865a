// Raw ZeroMQ echo server (ROUTER): the floor under any RPC. Prints {"url": "tcp://…"} when bound.
import { Router } from "zeromq";

const sock = new Router({ linger: 0 });
await sock.bind("tcp://127.0.0.1:0");
process.stdout.write(`${JSON.stringify({ url: sock.lastEndpoint })}\n`);
for await (const frames of sock) await sock.send(frames);
