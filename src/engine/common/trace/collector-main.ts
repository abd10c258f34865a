// The trace-collector process: `node collector-main.js`, started by `os cloud up` like any service.
import { handleLifecycle, notifyReady } from "../../cloud/ready.js";
import { log } from "../log.js";
import { startService } from "../service.js";
import { startCollector } from "./collector.js";
import { configureTracer } from "./tracer.js";
import { purgeTraces } from "./watch-queries.js";

const runtime = startService("trace-collector");
// The collector must not trace itself: its own spans would come back to it as more spans to store.
// startService's exporter opens no socket until a span is recorded, and with no sink none ever is.
configureTracer({ service: runtime.name, host: runtime.host });

const { config } = runtime;
let collector: Awaited<ReturnType<typeof startCollector>>;
try {
  collector = await startCollector({
    url: config.str("trace", "collector_url"),
    dbFile: runtime.layout.db("trace"),
    retention: config.int("trace", "retention"),
    db: {
      journalMode: config.str("database", "journal_mode"),
      synchronous: config.str("database", "synchronous"),
      busyTimeout: config.int("database", "busy_timeout"),
    },
  });
} catch (err) {
  log.error((err as Error).message);
  process.exit(1);
}

log.info(`collecting spans on ${collector.endpoint} into ${runtime.layout.db("trace")}`);

// Retention by age ([trace] max_age), on top of the count limit the writer keeps on every insert.
const maxAgeS = config.int("trace", "max_age");
const ageTimer =
  maxAgeS > 0
    ? setInterval(() => {
        try {
          const { traces } = purgeTraces(runtime.layout.db("trace"), { before: Date.now() - maxAgeS * 1000 });
          if (traces > 0) log.info(`purged ${traces} trace(s) older than ${maxAgeS}s`);
        } catch (err) {
          log.warning(`age purge failed: ${(err as Error).message}`);
        }
      }, 60_000)
    : undefined;
notifyReady({ endpoint: collector.endpoint });
handleLifecycle(async () => {
  clearInterval(ageTimer);
  await collector.close();
  const s = collector.stats();
  log.info(`stopped: ${s.stored} span(s) stored, ${s.rejected} rejected, ${s.pruned} pruned by retention`);
  await runtime.close();
});
