import { execFile } from "node:child_process";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { rotateKeys } from "../../src/engine/identity/token/index.js";
import { type KeystoneHandle, startKeystone } from "../helpers/keystone.js";
import { REPO_ROOT, cliArgv } from "../helpers/runtime.js";
import { adminProject, adminUser, call, login } from "./client.js";

const run = promisify(execFile);
let ks: KeystoneHandle;
beforeAll(async () => {
  ks = await startKeystone();
});
afterAll(async () => {
  await ks?.stop();
});

const rotate = () => run(process.execPath, cliArgv("manage", "keystone", "fernet-rotate", "--state-dir", ks.stateDir), { cwd: REPO_ROOT });

describe("os manage keystone fernet-rotate", () => {
  it("a token minted before a rotation still validates in the running keystone; after max_active_keys rotations it does not", async () => {
    const old = await login(ks.url, adminUser, ks.adminPassword, adminProject);
    expect(old.res.status).toBe(201);
    const out = await rotate();
    expect(out.stdout).toMatch(/New primary key: 2/);
    expect(readdirSync(join(ks.stateDir, "keystone", "fernet-keys")).sort()).toEqual(["0", "1", "2"]);

    const fresh = await login(ks.url, adminUser, ks.adminPassword, adminProject);
    const check = (t: string) => call(ks.url, "GET", "/v3/auth/tokens", { token: fresh.token, headers: { "x-subject-token": t } });
    expect((await check(old.token)).status).toBe(200);
    expect((await check(fresh.token)).status).toBe(200);

    // Two more rotations (in-process this time) with max_active_keys=3 drop key 1, which encrypted `old`.
    rotateKeys(join(ks.stateDir, "keystone", "fernet-keys"), 3);
    rotateKeys(join(ks.stateDir, "keystone", "fernet-keys"), 3);
    const newest = await login(ks.url, adminUser, ks.adminPassword, adminProject);
    const again = (t: string) => call(ks.url, "GET", "/v3/auth/tokens", { token: newest.token, headers: { "x-subject-token": t } });
    expect((await again(newest.token)).status).toBe(200);
    expect((await again(old.token)).status).toBe(404);
    expect((await again(fresh.token)).status).toBe(404);
  });
});
