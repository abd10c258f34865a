import type { RequestContext } from "../../common/context.js";
import type { Db } from "../../common/db/database.js";
import { utcNow } from "../db/open.js";

/** Nova's instance action names (nova.compute.instance_actions). */
export const ACTION = {
  CREATE: "create",
  DELETE: "delete",
  STOP: "stop",
  START: "start",
  REBOOT: "reboot",
  PAUSE: "pause",
  UNPAUSE: "unpause",
  SUSPEND: "suspend",
  RESUME: "resume",
  LOCK: "lock",
  UNLOCK: "unlock",
  REBUILD: "rebuild",
  RESIZE: "resize",
  CONFIRM_RESIZE: "confirmResize",
  REVERT_RESIZE: "revertResize",
  CREATE_IMAGE: "createImage",
  UPDATE: "update",
  RESET_STATE: "resetState",
} as const;

export interface ActionRow {
  id: number;
  action: string;
  instance_uuid: string;
  request_id: string;
  user_id: string | null;
  project_id: string | null;
  start_time: string;
  finish_time: string | null;
  message: string | null;
  updated_at: string | null;
}

export interface EventRow {
  event: string;
  start_time: string;
  finish_time: string | null;
  result: string | null;
  traceback: string | null;
  host: string | null;
  details: string | null;
}

/** InstanceAction.action_start: one row per user request on an instance, keyed by the request id. */
export function actionStart(db: Db, a: { uuid: string; action: string; request_id: string; user_id?: string; project_id?: string }): void {
  const now = utcNow();
  db.prepare(
    "INSERT INTO instance_actions (action, instance_uuid, request_id, user_id, project_id, start_time, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
  ).run(a.action, a.uuid, a.request_id, a.user_id ?? null, a.project_id ?? null, now, now);
}

/** actionStart for a user's request, from its context (Nova's InstanceAction.action_start(context, uuid, action)). */
export function actionStartFor(
  db: Db,
  ctx: Pick<RequestContext, "request_id" | "user_id" | "project_id">,
  uuid: string,
  action: string,
): void {
  actionStart(db, { uuid, action, request_id: ctx.request_id ?? "", user_id: ctx.user_id, project_id: ctx.project_id });
}

/** InstanceAction.finish: an action done in the API alone (no compute event) records when it ended. */
export function actionFinish(db: Db, a: { uuid: string; request_id: string }): void {
  const now = utcNow();
  db.prepare(
    "UPDATE instance_actions SET finish_time = ?, updated_at = ? WHERE id = (SELECT id FROM instance_actions WHERE instance_uuid = ? AND request_id = ? ORDER BY id DESC LIMIT 1)",
  ).run(now, now, a.uuid, a.request_id);
}

function actionFor(db: Db, uuid: string, requestId: string): ActionRow | undefined {
  return db
    .prepare("SELECT * FROM instance_actions WHERE instance_uuid = ? AND request_id = ? ORDER BY id DESC LIMIT 1")
    .get(uuid, requestId) as ActionRow | undefined;
}

/** InstanceActionEvent.event_start; the action row is created if the request had none (a reschedule, a periodic task). */
export function eventStart(db: Db, e: { uuid: string; event: string; request_id: string; host?: string | null }): void {
  db.transaction(() => {
    let action = actionFor(db, e.uuid, e.request_id);
    if (!action) {
      actionStart(db, { uuid: e.uuid, action: e.event, request_id: e.request_id });
      action = actionFor(db, e.uuid, e.request_id);
    }
    const now = utcNow();
    db.prepare("INSERT INTO instance_actions_events (event, action_id, start_time, host) VALUES (?, ?, ?, ?)").run(
      e.event,
      action?.id,
      now,
      e.host ?? null,
    );
    db.prepare("UPDATE instance_actions SET updated_at = ? WHERE id = ?").run(now, action?.id);
  }).immediate();
}

/** InstanceActionEvent.event_finish: an Error result also marks the action's message "Error", as Nova does. */
export function eventFinish(
  db: Db,
  e: { uuid: string; event: string; request_id: string; result: string; traceback?: string; details?: string },
): void {
  db.transaction(() => {
    const action = actionFor(db, e.uuid, e.request_id);
    if (!action) return;
    const now = utcNow();
    const ev = db
      .prepare("SELECT id FROM instance_actions_events WHERE action_id = ? AND event = ? AND finish_time IS NULL ORDER BY id DESC LIMIT 1")
      .get(action.id, e.event) as { id: number } | undefined;
    if (ev)
      db.prepare("UPDATE instance_actions_events SET finish_time = ?, result = ?, traceback = ?, details = ? WHERE id = ?").run(
        now,
        e.result,
        e.traceback ?? null,
        e.details ?? null,
        ev.id,
      );
    else
      db.prepare(
        "INSERT INTO instance_actions_events (event, action_id, start_time, finish_time, result, traceback, details) VALUES (?, ?, ?, ?, ?, ?, ?)",
      ).run(e.event, action.id, now, now, e.result, e.traceback ?? null, e.details ?? null);
    db.prepare(`UPDATE instance_actions SET updated_at = ?${e.result === "Error" ? ", message = 'Error'" : ""} WHERE id = ?`).run(
      now,
      action.id,
    );
  }).immediate();
}

export function listActions(db: Db, uuid: string): ActionRow[] {
  return db.prepare("SELECT * FROM instance_actions WHERE instance_uuid = ? ORDER BY start_time DESC, id DESC").all(uuid) as ActionRow[];
}

export function getAction(db: Db, uuid: string, requestId: string): { action: ActionRow; events: EventRow[] } | undefined {
  const action = actionFor(db, uuid, requestId);
  if (!action) return undefined;
  const events = db
    .prepare(
      "SELECT event, start_time, finish_time, result, traceback, host, details FROM instance_actions_events WHERE action_id = ? ORDER BY id",
    )
    .all(action.id) as EventRow[];
  return { action, events };
}

/** Copy an instance's actions from one cell database to another (a build request that ended in cell0 or a cell). */
export function copyActions(from: Db, to: Db, uuid: string): void {
  if (from === to) return;
  for (const a of listActions(from, uuid).reverse()) {
    const res = to
      .prepare(
        "INSERT INTO instance_actions (action, instance_uuid, request_id, user_id, project_id, start_time, finish_time, message, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
      )
      .run(a.action, a.instance_uuid, a.request_id, a.user_id, a.project_id, a.start_time, a.finish_time, a.message, a.updated_at);
    const events = from.prepare("SELECT * FROM instance_actions_events WHERE action_id = ? ORDER BY id").all(a.id) as Array<
      EventRow & { id: number }
    >;
    for (const e of events)
      to.prepare(
        "INSERT INTO instance_actions_events (event, action_id, start_time, finish_time, result, traceback, host, details) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
      ).run(e.event, res.lastInsertRowid, e.start_time, e.finish_time, e.result, e.traceback, e.host, e.details);
  }
}
