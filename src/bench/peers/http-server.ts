// HTTP server for the http rows: `bare` is node:http alone, `pipeline` is the same answer behind
// request_id, faultwrap, sizelimit and trace filters and a Router (src/engine/common/http).
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { faultwrapFilter, requestIdFilter, sizelimitFilter, traceFilter } from "../../engine/common/http/filters.js";
import { Router } from "../../engine/common/http/router.js";
import { serve } from "../../engine/common/http/server.js";
import { json } from "../../engine/common/http/types.js";

const BODY = { version: { id: "v2.1", status: "CURRENT" } };
const mode = process.argv[2] ?? "bare";

let port: number;
if (mode === "bare") {
  const server = createServer((_req, res) => {
    const body = JSON.stringify(BODY);
    res.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(body) });
    res.end(body);
  });
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  port = (server.address() as AddressInfo).port;
} else {
  const global = { error_format: "nova", service_name: "bench" };
  const app = new Router("nova").get("/v2.1", () => json(200, BODY)).app();
  // Outermost first, as a paste pipeline lists them.
  const filters = [requestIdFilter(global, {}), faultwrapFilter(global), sizelimitFilter(global, {}), traceFilter(global)];
  const wrapped = filters.reduceRight((inner, f) => f(inner), app);
  const server = await serve(wrapped, 0);
  port = (server.address() as AddressInfo).port;
}
process.stdout.write(`${JSON.stringify({ port })}\n`);
