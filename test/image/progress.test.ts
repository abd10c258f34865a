import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { progressBar } from "../../src/engine/image/progress.js";

const drain = () => new Writable({ write: (_c, _e, done) => done() });
const chunks = (n: number, size: number) => Readable.from(Array.from({ length: n }, () => Buffer.alloc(size)));

describe("progress bar", () => {
  it("draws the openstack client's bar on a terminal, passes every byte through, and ends the line", async () => {
    const out: string[] = [];
    let bytes = 0;
    const sink = { isTTY: true, write: (s: string) => out.push(s) };
    const counter = new Writable({
      write(c: Buffer, _e, done) {
        bytes += c.length;
        done();
      },
    });
    await pipeline(chunks(4, 256), progressBar(1024, sink), counter);
    expect(bytes).toBe(1024);
    expect(out[0]).toBe(`\r[${"=".repeat(7)}>${" ".repeat(22)}] 25%`);
    expect(out.at(-2)).toBe(`\r[${"=".repeat(29)}>] 100%`);
    expect(out.at(-1)).toBe("\n");
  });

  it("stays silent when not on a terminal or the size is unknown", async () => {
    const out: string[] = [];
    await pipeline(chunks(2, 10), progressBar(20, { isTTY: false, write: (s: string) => out.push(s) }), drain());
    await pipeline(chunks(2, 10), progressBar(0, { isTTY: true, write: (s: string) => out.push(s) }), drain());
    expect(out).toEqual([]);
  });
});
