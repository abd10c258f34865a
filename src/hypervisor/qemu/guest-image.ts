import { homedir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import { fixturesDir } from "../../engine/common/paths.js";

/** The cache directory: the argument, else $POCKETSTACK_CACHE, else ~/.cache/pocketstack. */
export function defaultCacheDir(): string {
  return process.env.POCKETSTACK_CACHE ?? join(homedir(), ".cache", "pocketstack");
}

/**
 * Build (or find in the cache) the CirrOS-like guest image from Debian packages and return the path of
 * its qcow2. The first build takes a minute or less; a cached one well under a second.
 * `os cloud up` uploads it to Glance as `cirros` (public, qcow2, bare).
 */
export async function ensureGuestImage(cacheDir: string = defaultCacheDir()): Promise<string> {
  const script = join(fixturesDir, "image", "build-image.sh");
  const r = await execa("bash", [script, cacheDir], { reject: false, stdin: "ignore" });
  const path = r.stdout.trim().split("\n").at(-1) ?? "";
  if (r.exitCode !== 0 || !path.endsWith(".qcow2")) {
    throw new Error(`building the guest image failed (exit ${r.exitCode}): ${r.stderr.trim().split("\n").slice(-5).join(" | ")}`);
  }
  return path;
}
