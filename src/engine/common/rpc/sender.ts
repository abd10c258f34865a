import type { Writable } from "zeromq";

/**
 * zeromq.js allows one pending send per socket (a second one while the first waits fails with EBUSY).
 * A send normally completes at once; when it does not (high-water mark, no peer yet), later messages
 * wait here in order instead of failing.
 */
export class SerialSender {
  private busy = false;
  private readonly waiting: Array<Array<string | Buffer>> = [];
  constructor(
    private readonly socket: Pick<Writable, "send">,
    private readonly onError: (err: unknown) => void,
  ) {}

  send(frames: Array<string | Buffer>): void {
    if (this.busy) {
      this.waiting.push(frames);
      return;
    }
    this.pump(frames);
  }

  private pump(frames: Array<string | Buffer>): void {
    this.busy = true;
    this.socket.send(frames).then(
      () => this.next(),
      (err) => {
        this.onError(err);
        this.next();
      },
    );
  }

  private next(): void {
    const frames = this.waiting.shift();
    if (frames) this.pump(frames);
    else this.busy = false;
  }

  /** Drop what has not been handed to ZeroMQ yet (on close). */
  clear(): void {
    this.waiting.length = 0;
  }
}
