// The exported HTML page renders in a real browser: headless Chromium takes a screenshot and the
// picture must show the waterfall (many colours, bars), not a blank page. Skipped without Chromium.
import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { toHtml } from "../../src/tui/export/html.js";
import { loadTrace } from "./fixtures.js";
import { decodePng } from "./png.js";

const CHROMIUM = "/usr/bin/chromium";
const run = promisify(execFile);

describe.skipIf(!existsSync(CHROMIUM))("HTML export in headless Chromium", () => {
  it("renders a non-blank waterfall", async () => {
    const dir = mkdtempSync(join(tmpdir(), "pocketstack-html-"));
    try {
      const page = join(dir, "trace.html");
      const shot = join(dir, "shot.png");
      writeFileSync(page, toHtml(loadTrace("server-create")));
      await run(
        CHROMIUM,
        [
          "--headless",
          "--no-sandbox",
          "--disable-gpu",
          "--no-first-run",
          "--disable-background-networking",
          "--disable-component-update",
          "--disable-sync",
          `--user-data-dir=${join(dir, "profile")}`,
          "--window-size=1280,900",
          `--screenshot=${shot}`,
          `file://${page}`,
        ],
        { timeout: 60_000 },
      );
      const { width, height, rgba } = decodePng(readFileSync(shot));
      expect([width, height]).toEqual([1280, 900]);
      const colours = new Set<number>();
      let dark = 0; // the header band is dark navy; a blank page would be all white
      let purple = 0; // the conductor's long RPC bar (#a855f7)
      for (let i = 0; i < rgba.length; i += 4) {
        const [r, g, b] = [rgba[i] as number, rgba[i + 1] as number, rgba[i + 2] as number];
        colours.add((r << 16) | (g << 8) | b);
        if (r + g + b < 120) dark++;
        if (Math.abs(r - 0xa8) < 12 && Math.abs(g - 0x55) < 12 && Math.abs(b - 0xf7) < 12) purple++;
      }
      expect(colours.size).toBeGreaterThan(50);
      expect(dark / (width * height)).toBeGreaterThan(0.05);
      expect(purple).toBeGreaterThan(1000);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 90_000);
});
