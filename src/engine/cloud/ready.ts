/**
 * A service tells the supervisor it is up (listening, bound, registered) over the IPC channel the
 * supervisor opened when it spawned it, like systemd's sd_notify(READY=1). Outside the supervisor
 * (a test, a hand-started process) there is no channel and this does nothing.
 */
export function notifyReady(info: Record<string, unknown> = {}): void {
  process.send?.({ type: "ready", pid: process.pid, ...info });
}

/**
 * Exit when the supervisor goes away (its IPC channel closes), so a killed supervisor leaves no orphans;
 * and run `stop` on SIGTERM/SIGINT before exiting.
 */
export function handleLifecycle(stop: () => Promise<void> | void): void {
  let stopping = false;
  const shutdown = async (code: number) => {
    if (stopping) return;
    stopping = true;
    try {
      await stop();
    } finally {
      process.exit(code);
    }
  };
  process.on("SIGTERM", () => void shutdown(0));
  process.on("SIGINT", () => void shutdown(0));
  process.on("disconnect", () => void shutdown(0));
}
