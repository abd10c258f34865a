// An RPC server process with one cheap method, for the rpc rows. Prints {"ready": true} once registered.
import type { RequestContext } from "../../engine/common/context.js";
import { RpcServer } from "../../engine/common/rpc/server.js";

const url = process.argv[2] ?? "";
const server = new RpcServer(
  url,
  "conductor",
  {
    ping(_ctx: RequestContext, args: Record<string, unknown>) {
      return { pong: args.n };
    },
  },
  { host: "bench", version: "6.0" },
);
await server.start();
process.stdout.write(`${JSON.stringify({ ready: true })}\n`);
