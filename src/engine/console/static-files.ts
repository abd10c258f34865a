import { createReadStream, existsSync, statSync } from "node:fs";
import type { ServerResponse } from "node:http";
import { extname, join, normalize, sep } from "node:path";

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".json": "application/json",
  ".woff": "font/woff",
  ".woff2": "font/woff2",
  ".ttf": "font/ttf",
  ".ogg": "audio/ogg",
  ".mp3": "audio/mpeg",
};

/** Where noVNC's web client lives: Debian's `novnc` package. */
export const DEFAULT_NOVNC_ROOT = "/usr/share/novnc";

/** Serve a file under `root` (no path escapes it); false when there is none. */
export function serveStatic(root: string, urlPath: string, res: ServerResponse, head: boolean): boolean {
  let rel: string;
  try {
    rel = decodeURIComponent(urlPath);
  } catch {
    return false;
  }
  if (rel.includes("\0")) return false;
  const file = normalize(join(root, rel));
  if (file !== root && !file.startsWith(root.endsWith(sep) ? root : root + sep)) return false;
  if (!existsSync(file)) return false;
  const st = statSync(file);
  if (!st.isFile()) return false;
  res.writeHead(200, {
    "content-type": TYPES[extname(file)] ?? "application/octet-stream",
    "content-length": st.size,
    "cache-control": "no-cache",
  });
  if (head) res.end();
  else createReadStream(file).pipe(res);
  return true;
}
