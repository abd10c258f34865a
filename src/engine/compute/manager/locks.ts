// Two small concurrency tools Nova gets from oslo.concurrency and eventlet: a lock per instance uuid
// (operations on one instance run one at a time, in arrival order) and a counting semaphore
// (max_concurrent_builds).

export class KeyedLock {
  private readonly tails = new Map<string, Promise<void>>();

  /** Run fn once every earlier holder of key is done. */
  async run<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    let release!: () => void;
    const mine = new Promise<void>((r) => {
      release = r;
    });
    const tail = previous.then(() => mine);
    this.tails.set(key, tail);
    await previous;
    try {
      return await fn();
    } finally {
      release();
      if (this.tails.get(key) === tail) this.tails.delete(key);
    }
  }

  get busy(): number {
    return this.tails.size;
  }
}

export class Semaphore {
  private active = 0;
  private readonly queue: Array<() => void> = [];

  constructor(private readonly limit: number) {}

  /** Position in the queue the next caller would get (0 = runs at once). */
  get waiting(): number {
    return this.queue.length;
  }

  async run<T>(fn: () => Promise<T>): Promise<T> {
    if (this.active >= this.limit) await new Promise<void>((r) => this.queue.push(r));
    this.active++;
    try {
      return await fn();
    } finally {
      this.active--;
      this.queue.shift()?.();
    }
  }

  /** Resolves when nothing runs and nothing waits (graceful stop). */
  async idle(pollMs = 20): Promise<void> {
    while (this.active > 0 || this.queue.length > 0) await new Promise((r) => setTimeout(r, pollMs));
  }
}
