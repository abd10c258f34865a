// keystone: the identity v3 service process. Started by `os cloud up` (or by hand / a test with
// POCKETSTACK_HOME set): migrates its database, loads the token keys, serves the paste pipeline.
import "../common/http/filters.js";
import "./app.js";
import { loadApp } from "../common/http/paste.js";
import { serve } from "../common/http/server.js";
import { tlsServeOptions } from "../common/tls/serve-options.js";
import { log } from "../common/log.js";
import { startService } from "../common/service.js";
import { handleLifecycle, notifyReady } from "../cloud/ready.js";
import { createKeystoneContext, ensureTokenKeys } from "./keystone.js";

async function main(): Promise<void> {
  const rt = startService("keystone");
  if (ensureTokenKeys(rt.config, rt.layout))
    log.warning("no token keys were found; created a new key repository (run `os manage keystone fernet-setup` first to avoid this)");
  const ctx = createKeystoneContext(rt.config, rt.layout);
  const app = await loadApp(rt.pasteFile(), "main", {
    service_name: "keystone",
    error_format: "keystone",
    max_request_body_size: rt.config.int("api", "max_request_body_size"),
    keystone: ctx,
  });
  const host = rt.config.str("DEFAULT", "my_ip");
  const port = rt.config.int("api", "keystone_port");
  const server = await serve(app, port, host, tlsServeOptions(rt.config, rt.layout, "keystone"));
  log.info(`identity API listening on http://${host}:${port}`);
  handleLifecycle(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    ctx.store.close();
    await rt.close();
  });
  notifyReady({ service: "keystone", url: `http://${host}:${port}` });
}

main().catch((err) => {
  log.error(`keystone failed to start: ${(err as Error)?.stack ?? err}`);
  process.exit(1);
});
