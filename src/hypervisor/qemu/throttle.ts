/**
 * Nova's max_concurrent_builds semaphore, held until the guest has booted (not only until QEMU runs):
 * under TCG a boot is ~6 CPU-seconds, and more than two at once on two cores slows every one of them.
 */
export class BootThrottle {
  private active = 0;
  private readonly queue: Array<() => void> = [];

  constructor(readonly limit: number) {}

  get running(): number {
    return this.active;
  }
  get waiting(): number {
    return this.queue.length;
  }

  /** Wait for a slot; `onQueued` hears the 1-based queue position when the caller has to wait. */
  async acquire(onQueued?: (position: number) => void): Promise<() => void> {
    if (this.limit <= 0 || this.active < this.limit) {
      this.active++;
      return this.releaser();
    }
    onQueued?.(this.queue.length + 1);
    await new Promise<void>((resolve) => this.queue.push(resolve));
    return this.releaser();
  }

  private releaser(): () => void {
    let done = false;
    return () => {
      if (done) return;
      done = true;
      const next = this.queue.shift();
      if (next)
        next(); // the slot passes straight to the next waiter
      else this.active--;
    };
  }
}
