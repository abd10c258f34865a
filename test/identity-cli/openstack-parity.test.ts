import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type KeystoneHandle, startKeystone } from "../helpers/keystone.js";
import { os, run } from "./run.js";

const hasOpenstack = (() => {
  try {
    execFileSync("openstack", ["--version"], { stdio: "ignore", timeout: 30_000 });
    return true;
  } catch {
    return false;
  }
})();

let ks: KeystoneHandle;
let home: string;
let env: NodeJS.ProcessEnv;

describe("the real openstack client and `os` print the same thing against our keystone", { timeout: 240_000 }, () => {
  beforeAll(async () => {
    if (!hasOpenstack) return;
    ks = await startKeystone();
    home = mkdtempSync(join(tmpdir(), "ps-parity-"));
    env = {
      PATH: process.env.PATH,
      HOME: home,
      OS_AUTH_URL: `${ks.url}/v3`,
      OS_IDENTITY_API_VERSION: "3",
      OS_USERNAME: "admin",
      OS_PASSWORD: ks.adminPassword,
      OS_PROJECT_NAME: "admin",
      OS_USER_DOMAIN_NAME: "Default",
      OS_PROJECT_DOMAIN_NAME: "Default",
      POCKETSTACK_HOME: home,
    };
    // Something beyond the bootstrap to list: a project, a user with a role on it.
    for (const args of [
      ["project", "create", "demo"],
      ["user", "create", "alice", "--password", "pw"],
      ["role", "add", "--user", "alice", "--project", "demo", "member"],
    ]) {
      const r = await os(args, env);
      if (r.code !== 0) throw new Error(`os ${args.join(" ")}: ${r.stderr}`);
    }
  }, 90_000);
  afterAll(async () => {
    await ks?.stop();
    if (home) rmSync(home, { recursive: true, force: true });
  });

  it("token issue, user list, project list, role assignment list --names, catalog list, endpoint list", async (ctx) => {
    if (!hasOpenstack) ctx.skip("python3-openstackclient is not installed (no `openstack` on PATH)");
    const commands = [
      ["token", "issue", "-f", "json"],
      ["user", "list"],
      ["project", "list"],
      ["role", "assignment", "list", "--names"],
      ["catalog", "list"],
      ["endpoint", "list"],
    ];
    // One command at a time for the slow Python client; ours runs beside it.
    for (const args of commands) {
      const [theirs, ours] = await Promise.all([run("openstack", args, env, { timeoutMs: 90_000 }), os(args, env)]);
      expect(theirs.code, `openstack ${args.join(" ")}: ${theirs.stderr}`).toBe(0);
      expect(ours.code, `os ${args.join(" ")}: ${ours.stderr}`).toBe(0);
      if (args[0] === "token") {
        // Different tokens, same shape and same identity.
        const [t, o] = [JSON.parse(theirs.stdout), JSON.parse(ours.stdout)];
        expect(Object.keys(o)).toEqual(Object.keys(t));
        expect(o.user_id).toBe(t.user_id);
        expect(o.project_id).toBe(t.project_id);
        expect(o.expires).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+0000$/);
        expect(t.expires).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+0000$/);
      } else {
        expect(ours.stdout, `os ${args.join(" ")}`).toBe(theirs.stdout);
      }
    }
  });
});
