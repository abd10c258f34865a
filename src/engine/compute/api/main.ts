import "../../common/http/filters.js";
import "../../common/auth/index.js";
import "./app.js";
import { handleLifecycle, notifyReady } from "../../cloud/ready.js";
import { loadApp } from "../../common/http/paste.js";
import { serve } from "../../common/http/server.js";
import { tlsServeOptions } from "../../common/tls/serve-options.js";
import { log } from "../../common/log.js";
import { startService } from "../../common/service.js";
import { createNovaApi } from "./app.js";

/** nova-api: open nova_api, load api-paste.ini, serve the compute API on [api] compute_port. */
async function main(): Promise<void> {
  const rt = startService("nova");
  const { config, layout } = rt;
  const api = createNovaApi(config, layout.root);
  const app = await loadApp(rt.pasteFile(), "main", {
    config,
    state_dir: layout.root,
    error_format: "nova",
    auth_strategy: config.str("api", "auth_strategy"),
    service_name: "nova",
    max_request_body_size: config.int("api", "max_request_body_size"),
    nova_api: api,
  });
  const host = config.str("DEFAULT", "my_ip");
  const port = config.int("api", "compute_port");
  const server = await serve(app, port, host, tlsServeOptions(rt.config, rt.layout, "nova-api"));
  const address = server.address();
  const bound = typeof address === "object" && address ? address.port : port;
  log.info(`nova-api listening on http://${host}:${bound}`);
  handleLifecycle(async () => {
    server.close();
    api.buses.close();
    await rt.close();
  });
  notifyReady({ service: "nova-api", port: bound });
  process.stdout.write(`${JSON.stringify({ ready: true, service: "nova-api", port: bound, pid: process.pid })}\n`);
}

main().catch((err) => {
  log.error(`nova-api failed to start: ${(err as Error)?.stack ?? err}`);
  process.exit(1);
});
