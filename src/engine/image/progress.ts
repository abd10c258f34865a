import { Transform } from "node:stream";

/** Where the bar goes: a terminal stream (tests pass a fake one). */
export interface ProgressSink {
  isTTY?: boolean;
  write(s: string): unknown;
}

/**
 * The openstack client's progress bar (`[=============>                ] 45%`, redrawn with \r, a newline
 * at the end) as a pass-through stream. It draws only on a terminal and only for a known, non-zero
 * size, so piped output and logs stay clean. It goes to stderr: stdout may be the image itself.
 */
export function progressBar(total: number, sink: ProgressSink = process.stderr): Transform {
  const show = Boolean(sink.isTTY) && total > 0;
  let seen = 0;
  let drawn = -1;
  const draw = () => {
    const fraction = seen / total;
    const percent = Math.round(fraction * 100);
    if (percent === drawn) return;
    drawn = percent;
    const bar = `${"=".repeat(Math.round(fraction * 29))}>`.padEnd(30);
    sink.write(`\r[${bar}] ${percent}%`);
  };
  return new Transform({
    transform(chunk: Buffer, _enc, done) {
      seen += chunk.length;
      if (show) draw();
      done(null, chunk);
    },
    flush(done) {
      if (show) sink.write("\n");
      done();
    },
  });
}
