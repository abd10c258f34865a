import "../common/http/filters.js";
import "../common/auth/index.js";
import "./app.js";
import { existsSync } from "node:fs";
import { notifyReady, handleLifecycle } from "../cloud/ready.js";
import { migrate, openDatabase } from "../common/db/database.js";
import { loadApp } from "../common/http/paste.js";
import { serve } from "../common/http/server.js";
import { tlsServeOptions } from "../common/tls/serve-options.js";
import { log } from "../common/log.js";
import { startService } from "../common/service.js";
import { PLACEMENT_MIGRATIONS, syncStandards } from "./db/migrations.js";
import { placementEnforcer } from "./app.js";

/** The placement-api process: db sync, load api-paste.ini, serve on [api] placement_port. */
async function main(): Promise<void> {
  const svc = startService("placement");
  const { config, layout } = svc;
  const db = openDatabase(layout.db("placement"), {
    journalMode: config.str("database", "journal_mode"),
    synchronous: config.str("database", "synchronous"),
    busyTimeout: config.int("database", "busy_timeout"),
  });
  migrate(db, PLACEMENT_MIGRATIONS);
  db.transaction(() => syncStandards(db)).immediate();
  const policyFile = layout.policyFile("placement");
  const app = await loadApp(svc.pasteFile(), "main", {
    error_format: "placement",
    service_name: "placement",
    config,
    state_dir: layout.root,
    auth_strategy: config.str("api", "auth_strategy"),
    max_request_body_size: config.int("api", "max_request_body_size"),
    placement_db: db,
    placement_enforcer: placementEnforcer(existsSync(policyFile) ? policyFile : undefined),
  });
  const port = config.int("api", "placement_port");
  const host = config.str("DEFAULT", "my_ip");
  const server = await serve(app, port, host, tlsServeOptions(config, layout, "placement"));
  const address = server.address();
  const bound = typeof address === "object" && address ? address.port : port;
  log.info(`placement-api listening on http://${host}:${bound}`);
  handleLifecycle(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    db.close();
    await svc.close();
  });
  notifyReady({ service: "placement", port: bound });
}

main().catch((err) => {
  log.error(`placement failed to start: ${(err as Error)?.stack ?? err}`);
  process.exit(1);
});
