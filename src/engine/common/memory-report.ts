import { mkdirSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/** What a service writes when asked for its memory: `process.memoryUsage()` right after a full GC. */
export interface MemoryReport {
  pid: number;
  /** When it was taken (ms since the epoch). */
  at: number;
  /** Whether a full garbage collection ran first (the process was started with --expose-gc). */
  collected: boolean;
  rss: number;
  heapUsed: number;
  heapTotal: number;
  /** Memory outside the JS heap that JS objects hold (Buffers, SQLite handles' wrappers), arrayBuffers included. */
  external: number;
  arrayBuffers: number;
}

/** Where process `pid` of a cloud writes its report. */
export function memoryReportFile(runDir: string, pid: number): string {
  return join(runDir, `memory-${pid}.json`);
}

/**
 * `kill -USR2 <pid>` makes a service collect its garbage and write its memory to run/memory-<pid>.json.
 * Resident memory alone swings with the garbage collector's schedule (V8 lets the old generation grow
 * for tens of seconds between full collections); what a service holds on to is what is left after a
 * full collection. The soak test compares those; `os cloud up` starts services with --expose-gc for it.
 */
export function installMemoryReport(runDir: string): void {
  process.on("SIGUSR2", () => {
    const gc = (globalThis as { gc?: () => void }).gc;
    gc?.();
    const usage = process.memoryUsage();
    const report: MemoryReport = { pid: process.pid, at: Date.now(), collected: gc !== undefined, ...usage };
    const file = memoryReportFile(runDir, process.pid);
    try {
      mkdirSync(runDir, { recursive: true });
      writeFileSync(`${file}.tmp`, JSON.stringify(report));
      renameSync(`${file}.tmp`, file);
    } catch {
      // A report is a debugging aid: a full disk must not take the service down.
    }
  });
}
