// Headless Chromium from the command line (Debian's `chromium` package): take a screenshot of a page after
// its scripts ran for a while. No browser driver package: `--screenshot` with a virtual-time budget.
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { hasCommand } from "../hypervisor/qemu/helpers.js";

export const CHROMIUM = ["chromium", "chromium-browser", "google-chrome"].find(hasCommand);

const FLAGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--window-size=1024,768",
];

/**
 * Open `url` in a fresh profile, let the page run `budgetMs` of virtual time (noVNC connects and draws the
 * guest's screen), and return the PNG bytes. The browser is started in its own process group and that
 * group is killed if it hangs.
 */
export async function screenshot(url: string, workDir: string, budgetMs = 10_000, timeoutMs = 90_000): Promise<Buffer> {
  if (!CHROMIUM) throw new Error("no chromium on PATH (apt-get install -y --no-install-recommends chromium)");
  const profile = mkdtempSync(join(workDir, "chromium-profile-"));
  const out = join(profile, "shot.png");
  try {
    const child = spawn(CHROMIUM, [...FLAGS, `--user-data-dir=${profile}`, `--virtual-time-budget=${budgetMs}`, `--screenshot=${out}`, url], {
      stdio: ["ignore", "ignore", "pipe"],
      detached: true,
    });
    let stderr = "";
    child.stderr?.on("data", (d: Buffer) => {
      stderr = (stderr + d.toString()).slice(-4000);
    });
    const timer = setTimeout(() => {
      if (child.pid) process.kill(-child.pid, "SIGKILL");
    }, timeoutMs);
    const code = await new Promise<number | null>((resolve) => child.once("exit", (c) => resolve(c)));
    clearTimeout(timer);
    if (!existsSync(out)) throw new Error(`chromium wrote no screenshot (exit ${code}): ${stderr.split("\n").slice(-5).join(" | ")}`);
    return readFileSync(out);
  } finally {
    rmSync(profile, { recursive: true, force: true });
  }
}
