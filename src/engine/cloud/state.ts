import { readFileSync, renameSync, writeFileSync } from "node:fs";

/** What the supervisor knows about one unit, written to run/supervisor.json for `os cloud status`. */
export interface UnitState {
  name: string;
  description: string;
  pid: number | null;
  state: "starting" | "running" | "restarting" | "stopping" | "stopped" | "failed";
  port: number | null;
  started_at: string | null;
  restarts: number;
  last_exit: { code: number | null; signal: string | null; at: string } | null;
}

export interface SupervisorState {
  pid: number;
  host: string;
  started_at: string;
  state_dir: string;
  units: UnitState[];
}

export function readState(file: string): SupervisorState | undefined {
  try {
    return JSON.parse(readFileSync(file, "utf8")) as SupervisorState;
  } catch {
    return undefined;
  }
}

/** Atomic write (rename), so a reader never sees half a file. */
export function writeState(file: string, state: SupervisorState): void {
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(state, null, 2));
  renameSync(tmp, file);
}

export function isAlive(pid: number | null | undefined): boolean {
  if (!pid) return false;
  try {
    process.kill(pid, 0);
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
  // A killed process not yet reaped (a zombie: kill -9 in a container whose init reaps late) still
  // answers kill(pid, 0); it is dead, and must not block the next `cloud up` as "another supervisor".
  if (process.platform !== "linux") return true;
  try {
    return !/^\d+ \(.*\) [ZX]/s.test(readFileSync(`/proc/${pid}/stat`, "utf8"));
  } catch {
    return false; // gone between the two looks
  }
}
