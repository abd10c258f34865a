import type { Config } from "../../common/config/config.js";
import type { RequestContext } from "../../common/context.js";
import type { Db } from "../../common/db/database.js";
import { log } from "../../common/log.js";
import { getRequestSpec } from "../objects/build-requests.js";
import { type Instance, rowToInstance, saveInstance } from "../objects/instance.js";
import { listServices, serviceIsUp } from "../objects/services.js";
import type { ComputeTaskManager } from "./compute-task.js";

/**
 * Builds orphaned by a dead compute. A nova-compute that dies mid-build (kill -9, host lost) cannot run
 * its own init_host clean-up until it comes back, and may never come back: its instances would sit in
 * BUILD forever. Once its service is down (no heartbeat for service_down_time), each instance still
 * building there goes back through the reschedule path (build_instances, the dead host excluded, the
 * attempt counted against [scheduler] max_attempts), so it lands on another host or ends in ERROR with
 * a fault. The CAS on task_state keeps a compute that was only slow from racing the reschedule.
 */
export function startBuildWatchdog(config: Config, db: () => Db, tasks: ComputeTaskManager, apiDb: () => Db): () => void {
  const downTime = config.int("DEFAULT", "service_down_time");
  const everyMs = Math.max(1, Math.min(config.int("compute", "report_interval"), Math.ceil(downTime / 2))) * 1000;
  let running = false;
  const tick = async () => {
    if (running) return;
    running = true;
    try {
      await rescheduleOrphanedBuilds(config, db(), tasks, apiDb());
    } catch (err) {
      log.warning(`build watchdog: ${(err as Error).message}`);
    } finally {
      running = false;
    }
  };
  const timer = setInterval(() => void tick(), everyMs);
  timer.unref();
  return () => clearInterval(timer);
}

export async function rescheduleOrphanedBuilds(config: Config, db: Db, tasks: ComputeTaskManager, apiDb: Db): Promise<string[]> {
  const downTime = config.int("DEFAULT", "service_down_time");
  const dead = listServices(db).filter((s) => s.binary === "nova-compute" && !serviceIsUp(s, downTime));
  const moved: string[] = [];
  for (const svc of dead) {
    const rows = db
      .prepare(
        "SELECT * FROM instances WHERE deleted = 0 AND host = ? AND vm_state = 'building' AND (task_state IS NULL OR task_state != 'deleting')",
      )
      .all(svc.host) as Parameters<typeof rowToInstance>[1][];
    for (const row of rows) {
      const inst = rowToInstance(db, row);
      let claimed: Instance;
      try {
        // Take it from the dead host: only if nobody moved it meanwhile.
        claimed = saveInstance(
          db,
          inst.uuid,
          { task_state: "scheduling" },
          { expected_task_state: [inst.task_state], expected_vm_state: ["building"] },
        );
      } catch {
        continue;
      }
      const spec = getRequestSpec(apiDb, inst.uuid);
      const attempts = spec?.retry?.num_attempts ?? 1;
      const tried = [...new Set([...(spec?.retry?.hosts ?? []), svc.host])];
      log.warning(`instance ${inst.uuid}: nova-compute on ${svc.host} is down while it was building (attempt ${attempts}); rescheduling`);
      const ctx: RequestContext = {
        user_id: inst.user_id,
        project_id: inst.project_id,
        roles: ["admin"],
        request_id: `req-watchdog-${inst.uuid}`,
      };
      await tasks.build_instances(ctx, {
        instances: [claimed],
        image: spec?.image ?? { id: inst.image_ref ?? "", min_ram: 0, min_disk: 0, properties: {} },
        request_spec: spec,
        filter_properties: { retry: { num_attempts: attempts, hosts: tried.map((h) => [h, h]) } },
      });
      moved.push(inst.uuid);
    }
  }
  return moved;
}
