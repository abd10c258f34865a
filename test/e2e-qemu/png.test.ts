import { crc32, deflateSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { colourHistogram, decodePng } from "./png.js";

/** A PNG encoder for the test: each row uses filter `y % 5`, so all five PNG filters are decoded. */
function encode(width: number, height: number, channels: 3 | 4, pixel: (x: number, y: number) => number[]): Buffer {
  const stride = width * channels;
  const rows: Buffer[] = [];
  const plain = (y: number) => Buffer.from(Array.from({ length: width }, (_, x) => pixel(x, y)).flat());
  for (let y = 0; y < height; y++) {
    const filter = y % 5;
    const cur = plain(y);
    const prev = y > 0 ? plain(y - 1) : Buffer.alloc(stride);
    const out = Buffer.alloc(stride + 1);
    out[0] = filter;
    for (let x = 0; x < stride; x++) {
      const a = x >= channels ? (cur[x - channels] as number) : 0;
      const b = prev[x] as number;
      const c = x >= channels ? (prev[x - channels] as number) : 0;
      const p = a + b - c;
      const [pa, pb, pc] = [Math.abs(p - a), Math.abs(p - b), Math.abs(p - c)];
      const paeth = pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
      const pred = [0, a, b, (a + b) >> 1, paeth][filter] as number;
      out[x + 1] = ((cur[x] as number) - pred) & 0xff;
    }
    rows.push(out);
  }
  const chunk = (type: string, data: Buffer) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const td = Buffer.concat([Buffer.from(type, "latin1"), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(td));
    return Buffer.concat([len, td, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, channels === 4 ? 6 : 2, 0, 0, 0], 8);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk("IHDR", ihdr),
    chunk("IDAT", deflateSync(Buffer.concat(rows))),
    chunk("IEND", Buffer.alloc(0)),
  ]);
}

describe("decodePng", () => {
  const gradient = (x: number, y: number) => [(x * 17) & 0xff, (y * 29) & 0xff, (x * y) & 0xff];

  it("decodes RGB rows under every filter type", () => {
    const img = decodePng(encode(13, 11, 3, gradient));
    expect([img.width, img.height]).toEqual([13, 11]);
    for (const [x, y] of [
      [0, 0],
      [12, 10],
      [5, 3],
      [7, 4],
      [1, 9],
    ] as const) {
      const i = (y * 13 + x) * 4;
      expect([...img.rgba.subarray(i, i + 4)]).toEqual([...gradient(x, y), 255]);
    }
  });

  it("decodes RGBA and counts colours in a rectangle", () => {
    const img = decodePng(encode(8, 8, 4, (x) => (x < 4 ? [0, 0, 0, 255] : [200, 200, 200, 128])));
    const left = colourHistogram(img, { x: 0, y: 0, w: 4, h: 8 });
    expect([...left.entries()]).toEqual([["0,0,0", 32]]);
    expect(colourHistogram(img).get("200,200,200")).toBe(32);
  });

  it("refuses what is not a PNG", () => {
    expect(() => decodePng(Buffer.from("GIF89a not a png"))).toThrow(/not a PNG/);
  });
});
