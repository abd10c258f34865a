// One logger for every process: timestamped lines on stderr, which the supervisor sends to the
// service's log file. The request id goes in when known, so a line can be matched to a trace.
type Level = "debug" | "info" | "warning" | "error";
const order: Record<Level, number> = { debug: 10, info: 20, warning: 30, error: 40 };
let threshold: Level = process.env.POCKETSTACK_DEBUG ? "debug" : "info";
let processName = "pocketstack";

function write(level: Level, msg: string, requestId?: string) {
  if (order[level] < order[threshold]) return;
  const rid = requestId ? ` [${requestId}]` : "";
  process.stderr.write(`${new Date().toISOString()} ${process.pid} ${level.toUpperCase()} ${processName}${rid} ${msg}\n`);
}

export const log = {
  setup(name: string, debug = false) {
    processName = name;
    if (debug) threshold = "debug";
  },
  debug: (m: string, rid?: string) => write("debug", m, rid),
  info: (m: string, rid?: string) => write("info", m, rid),
  warning: (m: string, rid?: string) => write("warning", m, rid),
  error: (m: string, rid?: string) => write("error", m, rid),
};
