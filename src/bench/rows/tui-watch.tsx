import { EventEmitter } from "node:events";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fixturesDir } from "../../engine/common/paths.js";
import type { SpanRecord } from "../../engine/common/trace/span.js";
import { openTraceWriter } from "../../engine/common/trace/store.js";
import { openTraceWatchReader } from "../../engine/common/trace/watch-queries.js";
import { type Budget, type BenchRow, sample } from "../row.js";

/**
 * `os trace watch` with 10,000 stored traces (1,000 server creates of 51 spans, 9,000 token requests of
 * 3): how long until the first full frame (target ≤ 300 ms), and how long one frame takes while
 * scrolling the list with ↓ (target ≤ 16 ms). Drawn by ink into an in-memory 160×48 terminal.
 */
export const TRACES = 10_000;

function fixture(name: string): SpanRecord[] {
  return JSON.parse(readFileSync(join(fixturesDir, "traces", `${name}.json`), "utf8")) as SpanRecord[];
}

/** A trace database with `TRACES` traces, ids and times made unique per copy. */
export function buildStore(dir: string): string {
  const file = join(dir, "db", "trace.sqlite");
  const writer = openTraceWriter(file, { retention: TRACES * 2 });
  const big = fixture("server-create");
  const small = fixture("token-issue");
  const t0 = Date.now() - TRACES * 1000;
  const batch: SpanRecord[] = [];
  for (let i = 0; i < TRACES; i++) {
    const tpl = i % 10 === 0 ? big : small;
    const base = Math.min(...tpl.map((s) => s.start));
    const tid = i.toString(16).padStart(32, "0");
    for (const s of tpl)
      batch.push({
        ...s,
        trace_id: tid,
        request_id: `req-${tid.slice(-8)}-0000-4000-8000-${tid.slice(-12)}`,
        start: s.start - base + t0 + i * 1000,
        end: s.end - base + t0 + i * 1000,
      });
    if (batch.length > 5000) writer.insert(batch.splice(0));
  }
  writer.insert(batch);
  writer.close();
  return file;
}

/** A terminal in memory: ink writes frames here; `next` resolves on the next one. */
class MemoryTerminal extends EventEmitter {
  columns = 160;
  rows = 48;
  isTTY = false;
  frames = 0;
  last = "";
  private waiter: (() => void) | undefined;
  write = (frame: string) => {
    this.frames++;
    this.last = frame;
    const w = this.waiter;
    this.waiter = undefined;
    w?.();
    return true;
  };
  next(): Promise<void> {
    return new Promise((resolve) => {
      this.waiter = resolve;
    });
  }
}

class MemoryKeyboard extends EventEmitter {
  isTTY = true;
  private data: string | null = null;
  press(keys: string) {
    this.data = keys;
    this.emit("readable");
    this.emit("data", keys);
  }
  read = () => {
    const d = this.data;
    this.data = null;
    return d;
  };
  setEncoding() {}
  setRawMode() {}
  resume() {}
  pause() {}
  ref() {}
  unref() {}
}

async function mountWatch(file: string, opts: { wholeList?: boolean } = {}) {
  // As `os trace watch` runs it: React's production build (the development one is several times slower).
  process.env.NODE_ENV ??= "production";
  const [{ render }, { createElement }, { TraceWatchApp }] = await Promise.all([
    import("ink"),
    import("react"),
    import("../../tui/components/TraceWatchApp.js"),
  ]);
  const stdout = new MemoryTerminal();
  const stdin = new MemoryKeyboard();
  const source = openTraceWatchReader(file);
  const firstFrame = stdout.next();
  const app = render(createElement(TraceWatchApp, { source, intervalMs: 60_000 }), {
    stdout: stdout as unknown as NodeJS.WriteStream,
    stdin: stdin as unknown as NodeJS.ReadStream,
    debug: true,
    exitOnCtrlC: false,
    patchConsole: false,
  });
  await firstFrame;
  // The older pages load in the background; scrolling is measured once they are all in.
  while (opts.wholeList && !stdout.last.includes(`${TRACES} requests`)) await stdout.next();
  return {
    stdout,
    stdin,
    close() {
      app.unmount();
      source.close();
    },
  };
}

const small = (budget: Budget, samples: number): Budget => ({
  warmup: Math.min(budget.warmup, 2),
  maxSamples: Math.min(budget.maxSamples, samples),
  maxMs: budget.maxMs,
});

export const openRow: BenchRow = {
  name: "tui.watch_open_10k_traces",
  async run(budget) {
    const dir = mkdtempSync(join(tmpdir(), "pocketstack-bench-tui-"));
    try {
      const file = buildStore(dir);
      return await sample(small(budget, 15), async () => (await mountWatch(file)).close());
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
};

export const frameRow: BenchRow = {
  name: "tui.watch_frame_scroll",
  async run(budget) {
    const dir = mkdtempSync(join(tmpdir(), "pocketstack-bench-tui-"));
    const app = await mountWatch(buildStore(dir), { wholeList: true });
    try {
      let step = 0;
      return await sample(small(budget, 400), async () => {
        // Down through the list and back up: each press selects another request and redraws its trace.
        const key = Math.floor(step++ / 100) % 2 === 0 ? "\u001B[B" : "\u001B[A";
        const frame = app.stdout.next();
        app.stdin.press(key);
        await frame;
      });
    } finally {
      app.close();
      rmSync(dir, { recursive: true, force: true });
    }
  },
};
