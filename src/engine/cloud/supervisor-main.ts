import { closeSync, openSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { loadConfig } from "../common/config/config.js";
import { log } from "../common/log.js";
import { layout, stateDir } from "../common/paths.js";
import { deployOnline } from "./deploy.js";
import { allServices, nodesFile } from "./nodes.js";
import { missingEntries } from "./services.js";
import { isAlive } from "./state.js";
import { Supervisor } from "./supervisor.js";

// The supervisor daemon behind `os cloud up`: started detached, it owns every service process.
const l = layout(stateDir());
log.setup("supervisor");

// One supervisor per state dir: an exclusive pid file (a stale one, whose process is gone, is replaced).
function claimPidFile(): boolean {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(l.supervisorPid, "wx");
      writeFileSync(fd, `${process.pid}\n`);
      closeSync(fd);
      return true;
    } catch {
      const other = Number(readFileSync(l.supervisorPid, "utf8").trim());
      if (!other || (other !== process.pid && isAlive(other))) return false;
      rmSync(l.supervisorPid, { force: true });
    }
  }
  return false;
}

if (!claimPidFile()) {
  log.error(`another supervisor is running for ${l.root}`);
  process.exit(3);
}

const config = loadConfig(l.config);
const services = allServices(l.root, config);
// A unit whose code is missing (a partial build) would only crash-loop: refuse to start, naming the files.
const missing = missingEntries(services);
if (missing.length > 0) {
  log.error(
    `cannot start the cloud: missing service entr${missing.length === 1 ? "y" : "ies"} ${missing.join(", ")} (run \`npm run build\`)`,
  );
  rmSync(l.supervisorPid, { force: true });
  process.exit(1);
}
const supervisor = new Supervisor(l, config, services);
let stopping = false;
const shutdown = async () => {
  if (stopping) return;
  stopping = true;
  log.info("stopping all services");
  await supervisor.stop();
  rmSync(l.supervisorPid, { force: true });
  log.info("stopped");
  process.exit(0);
};
process.on("SIGTERM", () => void shutdown());
process.on("SIGINT", () => void shutdown());

const readyTimeout = config.int("supervisor", "start_timeout") * 1000;
// Like an installer between steps: once Keystone answers, register the service user and the catalog, so
// the services started after it (nova-compute reporting to Placement, …) can authenticate at once.
await supervisor.start(readyTimeout, async (unit) => {
  if (unit !== "keystone") return;
  try {
    await deployOnline(l, config);
  } catch (err) {
    log.error(`registering services in Keystone failed: ${(err as Error).message}`);
  }
});
log.info("all services started");

// `os node add` edits etc/nodes.json; start (or stop) compute units to match.
let nodesStamp = statSafe(nodesFile(l.root));
setInterval(() => {
  const now = statSafe(nodesFile(l.root));
  if (now === nodesStamp) return;
  nodesStamp = now;
  try {
    const wanted = allServices(l.root, config);
    const gone = missingEntries(wanted);
    if (gone.length > 0) throw new Error(`missing service entries ${gone.join(", ")}`);
    void supervisor.reconcile(wanted, readyTimeout);
  } catch (err) {
    log.error(`node list not applied: ${(err as Error).message}`);
  }
}, 1000);

function statSafe(file: string): number {
  try {
    return statSync(file).mtimeMs;
  } catch {
    return 0;
  }
}
