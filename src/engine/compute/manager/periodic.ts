// A periodic task (oslo.service's periodic_task): runs every interval, never overlapping itself, and a
// failure is logged, not fatal — the next tick tries again.
import { log } from "../../common/log.js";

export class Periodic {
  private timer?: NodeJS.Timeout;
  private running = false;

  constructor(
    readonly name: string,
    readonly intervalMs: number,
    private readonly task: () => Promise<void>,
  ) {}

  start(): void {
    this.timer ??= setInterval(() => void this.tick(), this.intervalMs);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  async tick(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      await this.task();
    } catch (err) {
      log.error(`periodic task ${this.name} failed: ${(err as Error).message}`);
    } finally {
      this.running = false;
    }
  }
}
