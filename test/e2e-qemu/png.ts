// A small PNG decoder (8-bit greyscale/RGB/RGBA, non-interlaced, as Chromium writes screenshots), so the
// browser-console test can look at pixels without an image package.
import { inflateSync } from "node:zlib";

export interface Image {
  width: number;
  height: number;
  /** RGBA, 4 bytes per pixel, row by row */
  rgba: Buffer;
}

const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const CHANNELS: Record<number, number> = { 0: 1, 2: 3, 4: 2, 6: 4 };

function paeth(a: number, b: number, c: number): number {
  const p = a + b - c;
  const pa = Math.abs(p - a);
  const pb = Math.abs(p - b);
  const pc = Math.abs(p - c);
  if (pa <= pb && pa <= pc) return a;
  return pb <= pc ? b : c;
}

export function decodePng(file: Buffer): Image {
  if (!file.subarray(0, 8).equals(SIGNATURE)) throw new Error("not a PNG file (bad signature)");
  let width = 0;
  let height = 0;
  let colorType = -1;
  const idat: Buffer[] = [];
  for (let off = 8; off < file.length; ) {
    const len = file.readUInt32BE(off);
    const type = file.toString("latin1", off + 4, off + 8);
    const data = file.subarray(off + 8, off + 8 + len);
    if (type === "IHDR") {
      width = data.readUInt32BE(0);
      height = data.readUInt32BE(4);
      const depth = data[8];
      colorType = data[9] ?? -1;
      if (depth !== 8) throw new Error(`PNG bit depth ${depth} is not supported (only 8)`);
      if (data[12] !== 0) throw new Error("interlaced PNGs are not supported");
      if (!(colorType in CHANNELS)) throw new Error(`PNG colour type ${colorType} is not supported`);
    } else if (type === "IDAT") idat.push(data);
    else if (type === "IEND") break;
    off += 12 + len;
  }
  const bpp = CHANNELS[colorType] as number;
  const raw = inflateSync(Buffer.concat(idat));
  const stride = width * bpp;
  const pixels = Buffer.alloc(stride * height);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)];
    const src = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
    const row = pixels.subarray(y * stride, (y + 1) * stride);
    const prev = y > 0 ? pixels.subarray((y - 1) * stride, y * stride) : Buffer.alloc(stride);
    for (let x = 0; x < stride; x++) {
      const a = x >= bpp ? (row[x - bpp] as number) : 0;
      const b = prev[x] as number;
      const c = x >= bpp ? (prev[x - bpp] as number) : 0;
      const v = src[x] as number;
      const pred = filter === 0 ? 0 : filter === 1 ? a : filter === 2 ? b : filter === 3 ? (a + b) >> 1 : paeth(a, b, c);
      if (filter === undefined || filter > 4) throw new Error(`bad PNG filter ${filter} on row ${y}`);
      row[x] = (v + pred) & 0xff;
    }
  }
  const rgba = Buffer.alloc(width * height * 4);
  for (let i = 0; i < width * height; i++) {
    const p = i * bpp;
    const g = pixels[p] as number;
    if (bpp === 1 || bpp === 2) rgba.set([g, g, g, bpp === 2 ? (pixels[p + 1] as number) : 255], i * 4);
    else rgba.set([g, pixels[p + 1] as number, pixels[p + 2] as number, bpp === 4 ? (pixels[p + 3] as number) : 255], i * 4);
  }
  return { width, height, rgba };
}

/** How many pixels of each colour (as `r,g,b`) a rectangle holds. */
export function colourHistogram(img: Image, rect = { x: 0, y: 0, w: img.width, h: img.height }): Map<string, number> {
  const counts = new Map<string, number>();
  for (let y = rect.y; y < Math.min(img.height, rect.y + rect.h); y++)
    for (let x = rect.x; x < Math.min(img.width, rect.x + rect.w); x++) {
      const i = (y * img.width + x) * 4;
      const key = `${img.rgba[i]},${img.rgba[i + 1]},${img.rgba[i + 2]}`;
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
  return counts;
}
