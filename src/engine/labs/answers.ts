import { createInterface } from "node:readline";
import type { Readable, Writable } from "node:stream";

/**
 * The learner's answers in `os lab run --interactive`, one line per pause. Lines are queued as they
 * arrive, so answers typed ahead or piped in at once (`printf '\n\nq\n' | os lab run …`) are each
 * used for one pause instead of being dropped while a step runs; end of input answers "q".
 */
export class Answers {
  private readonly lines: string[] = [];
  private waiting?: (line: string | undefined) => void;
  private ended = false;
  private readonly rl;

  constructor(
    input: Readable,
    private readonly output: Writable,
  ) {
    this.rl = createInterface({ input, terminal: false });
    this.rl.on("line", (line) => {
      if (this.waiting) this.take(line);
      else this.lines.push(line);
    });
    this.rl.on("close", () => {
      this.ended = true;
      this.take(undefined);
    });
  }

  private take(line: string | undefined) {
    const w = this.waiting;
    this.waiting = undefined;
    w?.(line);
  }

  /** Print the prompt and wait for the next line; undefined once the input has ended. */
  ask(prompt: string): Promise<string | undefined> {
    this.output.write(prompt);
    if (this.lines.length > 0) return Promise.resolve(this.lines.shift());
    if (this.ended) return Promise.resolve(undefined);
    return new Promise((resolve) => {
      this.waiting = resolve;
    });
  }

  close() {
    this.rl.close();
  }
}
