import { copyFileSync, existsSync, mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { type Config, loadConfig } from "./config/config.js";
import { log } from "./log.js";
import { installMemoryReport } from "./memory-report.js";
import { type Layout, fixturesDir, layout, stateDir } from "./paths.js";
import { createSpanExporter } from "./trace/exporter.js";
import { configureTracer } from "./trace/tracer.js";

export interface ServiceRuntime {
  name: string;
  config: Config;
  layout: Layout;
  host: string;
  /** The service's api-paste.ini: the state dir's copy (user-editable), first copied from fixtures/. */
  pasteFile(): string;
  /** Close the trace exporter etc. */
  close(): Promise<void>;
}

/**
 * What every service process does first: find its state dir (POCKETSTACK_HOME, set by the supervisor),
 * load pocketstack.conf (+ POCKETSTACK_SET overrides), name its log lines and its spans.
 */
export function startService(name: string, dir = stateDir()): ServiceRuntime {
  const l = layout(dir);
  const config = loadConfig(l.config);
  const host = config.str("DEFAULT", "host");
  log.setup(name, config.bool("DEFAULT", "debug"));
  const exporter = config.bool("trace", "enabled") ? createSpanExporter(config.str("trace", "collector_url")) : undefined;
  configureTracer({ service: name, host, sink: exporter?.sink });
  installMemoryReport(l.run);
  process.on("uncaughtException", (err) => {
    log.error(`uncaught exception: ${err.stack ?? err}`);
    process.exit(70);
  });
  return {
    name,
    config,
    layout: l,
    host,
    pasteFile: () => ensurePasteFile(l, name),
    close: async () => {
      await exporter?.close();
    },
  };
}

export function ensurePasteFile(l: Layout, service: string): string {
  const target = l.apiPaste(service);
  if (!existsSync(target)) {
    mkdirSync(dirname(target), { recursive: true });
    copyFileSync(join(fixturesDir, service, "api-paste.ini"), target);
  }
  return target;
}
