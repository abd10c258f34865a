import type { Db } from "../../common/db/database.js";
import { log } from "../../common/log.js";
import { createService, serviceByHostAndBinary, updateService } from "./services.js";

/**
 * A control-plane service's record in its cell database and its heartbeat (nova.service.Service with the
 * DB servicegroup driver): nova-conductor and nova-scheduler write their own row; `GET /os-services`
 * calls them up while the heartbeat is fresher than service_down_time.
 */
export function registerAndHeartbeat(db: Db, s: { host: string; binary: string; topic: string }, intervalSeconds: number): () => void {
  const service = serviceByHostAndBinary(db, s.host, s.binary) ?? createService(db, { ...s, availability_zone: "internal" });
  let count = service.report_count;
  const beat = () => {
    try {
      updateService(db, service.id, { report_count: ++count });
    } catch (err) {
      log.warning(`${s.binary}: heartbeat failed: ${(err as Error).message}`);
    }
  };
  beat();
  const timer = setInterval(beat, intervalSeconds * 1000);
  timer.unref();
  return () => clearInterval(timer);
}
