import { existsSync, readdirSync, rmSync } from "node:fs";
import { homedir } from "node:os";
import { join, resolve } from "node:path";
import { cloudDown, cloudUp } from "../cloud/control.js";
import { layout } from "../common/paths.js";

/**
 * `os lab reset`: the cloud as a first `os cloud up` makes it. "Clean" means: every service stopped,
 * then everything in the state directory removed — databases, images, instance disks, fernet keys,
 * paste files and policies under etc/, the lab CA, traces, logs, lab scratch files — except the
 * user's own pocketstack.conf; then the cloud brought up again (new keys, new admin password, the
 * cirros image uploaded again from the guest image cache, which lives outside the state dir).
 */
export const KEPT = ["pocketstack.conf"];

export class ResetRefused extends Error {
  override name = "ResetRefused";
}

/** Only a directory that looks like a pocketstack state dir is wiped (a typo must not empty $HOME). */
export function assertStateDir(dir: string): void {
  const d = resolve(dir);
  if (d === "/" || d === resolve(homedir())) throw new ResetRefused(`refusing to wipe ${d}: not a state directory`);
  if (!existsSync(d)) return;
  const l = layout(d);
  if (!existsSync(l.config) && !existsSync(l.run))
    throw new ResetRefused(`refusing to wipe ${d}: it has no pocketstack.conf or run/, so it is not a pocketstack state directory`);
}

export interface ResetResult {
  wasRunning: boolean;
  removed: string[];
  up: boolean;
}

export async function resetCloud(dir: string, opts: { overrides?: string[]; up?: boolean } = {}): Promise<ResetResult> {
  assertStateDir(dir);
  const wasRunning = await cloudDown(dir);
  const removed: string[] = [];
  if (existsSync(dir))
    for (const entry of readdirSync(dir)) {
      if (KEPT.includes(entry)) continue;
      rmSync(join(dir, entry), { recursive: true, force: true });
      removed.push(entry);
    }
  if (opts.up === false) return { wasRunning, removed, up: false };
  await cloudUp(dir, { overrides: opts.overrides });
  return { wasRunning, removed, up: true };
}
