// The Fernet key repository, with keystone-manage fernet_setup / fernet_rotate semantics:
// - key files are named by number; 0 is the staged key, the highest number is the primary (encrypts),
//   everything between is a secondary; every key can decrypt.
// - setup creates 0, then rotates once (so 0 and 1 exist); it does nothing if 0 already exists.
// - rotate promotes 0 to (highest + 1), writes a new 0, then deletes the lowest-numbered keys until at
//   most max_active_keys remain (counting the new staged key).
// The directory is 0700 and each key 0600; a new key is written to 0.tmp and renamed, so a reader
// never sees a half-written key.
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { KeysNotFound } from "./errors.js";
import { generateFernetKey } from "./fernet.js";

export interface KeyFile {
  /** 0 = staged; the highest = primary. */
  id: number;
  /** The key text as stored (base64url of 32 bytes). */
  key: string;
}

const KEY_NAME = /^\d+$/;

/** Create the repository with a staged key 0 and a primary key 1. Returns false if it was already set up. */
export function setupKeyRepository(dir: string): boolean {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700); // mkdir's mode is filtered by the umask, and the directory may already exist
  if (existsSync(join(dir, "0"))) return false;
  writeStagedKey(dir);
  rotateKeys(dir, Number.POSITIVE_INFINITY);
  return true;
}

export interface RotationResult {
  primary: number;
  removed: number[];
}

/** Promote the staged key to primary, stage a new key, and prune to maxActiveKeys keys. */
export function rotateKeys(dir: string, maxActiveKeys: number): RotationResult {
  if (!(maxActiveKeys >= 1)) throw new RangeError(`max_active_keys must be at least 1, not ${maxActiveKeys}`);
  const ids = keyIds(dir);
  if (!ids.includes(0)) {
    throw new KeysNotFound(`key repository ${dir} has no staged key 0; run fernet_setup first`);
  }
  const primary = Math.max(...ids) + 1;
  renameSync(join(dir, "0"), join(dir, String(primary)));
  writeStagedKey(dir);

  // Prune among the non-staged keys, oldest (lowest number) first, leaving room for the staged key.
  const active = ids
    .filter((id) => id !== 0)
    .concat(primary)
    .sort((a, b) => b - a);
  const removed: number[] = [];
  while (active.length > maxActiveKeys - 1) {
    const oldest = active.pop() as number;
    rmSync(join(dir, String(oldest)));
    removed.push(oldest);
  }
  bumpGeneration();
  return { primary, removed };
}

/** All usable keys, primary first, then secondaries (newest first), staged key 0 last. */
export function loadKeys(dir: string): KeyFile[] {
  const keys: KeyFile[] = [];
  for (const id of keyIds(dir)) {
    const key = readIfPresent(join(dir, String(id)))?.trim();
    if (!key) continue; // pruned by a concurrent rotation, or empty (which Keystone ignores too)
    keys.push({ id, key });
  }
  return keys.sort((a, b) => b.id - a.id);
}

function keyIds(dir: string): number[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw err;
  }
  return names.filter((n) => KEY_NAME.test(n) && isFile(join(dir, n))).map(Number);
}

// A rotation in another process may rename or delete a key between listing and reading it.
function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return false;
    throw err;
  }
}

function readIfPresent(path: string): string | undefined {
  try {
    return readFileSync(path, "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw err;
  }
}

function writeStagedKey(dir: string) {
  const tmp = join(dir, "0.tmp");
  writeFileSync(tmp, generateFernetKey(), { mode: 0o600 });
  chmodSync(tmp, 0o600);
  renameSync(tmp, join(dir, "0"));
}

// In-process rotations bump this so a provider in the same process reloads its key cache at once,
// whatever the filesystem's timestamp resolution; other processes notice the directory's mtime.
let generation = 0;
function bumpGeneration() {
  generation++;
}
export function keyRepositoryGeneration(): number {
  return generation;
}
