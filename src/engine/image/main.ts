import "../common/http/filters.js";
import "../common/auth/index.js";
import "./app.js";
import { loadApp } from "../common/http/paste.js";
import { serve } from "../common/http/server.js";
import { tlsServeOptions } from "../common/tls/serve-options.js";
import { log } from "../common/log.js";
import { startService } from "../common/service.js";
import { handleLifecycle, notifyReady } from "../cloud/ready.js";
import { createImageService } from "./app.js";

/** glance-api: `db sync`, open the file store, load api-paste.ini, serve the image API on [api] glance_port. */
async function main(): Promise<void> {
  const rt = startService("glance");
  const { config, layout } = rt;

  // Opens glance.sqlite and runs `db sync` (the migrations) before anything is served.
  const imageService = createImageService(config, layout.root);
  const app = await loadApp(rt.pasteFile(), "main", {
    config,
    state_dir: layout.root,
    error_format: "glance",
    auth_strategy: config.str("api", "auth_strategy"),
    service_name: "glance",
    image_service: imageService,
  });
  const port = config.int("api", "glance_port");
  const server = await serve(app, port, config.str("DEFAULT", "my_ip"), tlsServeOptions(config, layout, "glance"));
  const address = server.address();
  const bound = typeof address === "object" && address ? address.port : port;
  log.info(`glance-api listening on ${config.str("DEFAULT", "my_ip")}:${bound} (store ${imageService.store.dir})`);
  handleLifecycle(async () => {
    server.close();
    await rt.close();
  });
  notifyReady({ port: bound });
}

main().catch((err) => {
  log.error(`glance-api failed to start: ${(err as Error)?.stack ?? err}`);
  process.exit(1);
});
