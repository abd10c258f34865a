import type { Row } from "../../cli/output.js";
import type { SupervisorState } from "./state.js";

export const STATUS_COLUMNS = ["Service", "Host", "PID", "State", "Uptime", "Port", "Restarts"];

function uptime(startedAt: string | null, state: string): string {
  if (!startedAt || state !== "running") return "-";
  const s = Math.max(0, Math.round((Date.now() - Date.parse(startedAt)) / 1000));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m ${s % 60}s`;
  return `${Math.floor(s / 3600)}h ${Math.floor((s % 3600) / 60)}m`;
}

export function statusRows(state: SupervisorState): Row[] {
  return state.units.map((u) => ({
    Service: u.name,
    Host: state.host,
    PID: u.pid ?? "-",
    State: u.state,
    Uptime: uptime(u.started_at, u.state),
    Port: u.port ?? "-",
    Restarts: u.restarts,
  }));
}
