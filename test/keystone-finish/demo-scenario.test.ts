import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type KeystoneHandle, startKeystone } from "../helpers/keystone.js";
import { os, run } from "../identity-cli/run.js";

// The seed's walk-through, with our CLI and the real one: project demo, user demo with reader on it;
// as demo, `project list` is refused /v3/projects and falls back to /v3/users/{id}/projects.
// Then `os policy check` answers the same questions from the policy engine's side.

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
let admin: NodeJS.ProcessEnv;
let demo: NodeJS.ProcessEnv;
let demoId: string;
let adminId: string;

const ok = async (args: string[], env: NodeJS.ProcessEnv) => {
  const r = await os(args, env);
  if (r.code !== 0) throw new Error(`os ${args.join(" ")} failed (${r.code}): ${r.stderr}`);
  return r.stdout;
};

beforeAll(async () => {
  ks = await startKeystone();
  home = mkdtempSync(join(tmpdir(), "ps-keystone-finish-"));
  admin = {
    HOME: home,
    POCKETSTACK_HOME: home,
    OS_AUTH_URL: `${ks.url}/v3`,
    OS_IDENTITY_API_VERSION: "3",
    OS_USERNAME: "admin",
    OS_PASSWORD: ks.adminPassword,
    OS_PROJECT_NAME: "admin",
    OS_USER_DOMAIN_NAME: "Default",
    OS_PROJECT_DOMAIN_NAME: "Default",
  };
  demo = { ...admin, OS_USERNAME: "demo", OS_PASSWORD: "demo-pw", OS_PROJECT_NAME: "demo" };
  await ok(["project", "create", "demo"], admin);
  demoId = (await ok(["user", "create", "demo", "--password", "demo-pw", "-c", "id", "-f", "value"], admin)).trim();
  await ok(["role", "add", "--user", "demo", "--project", "demo", "reader"], admin);
  adminId = (await ok(["user", "show", "admin", "-c", "id", "-f", "value"], admin)).trim();
}, 120_000);
afterAll(async () => {
  await ks?.stop();
  if (home) rmSync(home, { recursive: true, force: true });
});

describe("demo (reader on project demo) lists its projects", { timeout: 120_000 }, () => {
  it("os project list falls back to the user's projects and shows only demo; --domain does not fall back", async () => {
    const table = await ok(["project", "list"], demo);
    const names = table
      .split("\n")
      .filter((l) => /^\| [0-9a-f]{32} /.test(l))
      .map((l) => l.split("|")[2]?.trim());
    expect(names).toEqual(["demo"]);
    // With a filter the client does not guess: the 403 is the answer (python-openstackclient: `if not kwargs`).
    const filtered = await os(["project", "list", "--domain", "default"], demo);
    expect(filtered.code).toBe(1);
    expect(filtered.stderr).toMatch(/You are not authorized to perform the requested action: identity:list_projects/);
    // The admin sees everything.
    expect((await ok(["project", "list", "-f", "value", "-c", "Name", "--sort-column", "Name"], admin)).trim().split("\n")).toEqual([
      "admin",
      "demo",
    ]);
  });

  it("the real openstack client does the same, and prints what `os` prints", async (ctx) => {
    if (!hasOpenstack) ctx.skip("python3-openstackclient is not installed (no `openstack` on PATH)");
    const env = { ...demo, PATH: process.env.PATH };
    const [theirs, ours] = await Promise.all([
      run("openstack", ["project", "list"], env, { timeoutMs: 90_000 }),
      os(["project", "list"], demo),
    ]);
    expect(theirs.code, theirs.stderr).toBe(0);
    expect(theirs.stdout).toMatch(/\| demo +\|/);
    expect(theirs.stdout).not.toMatch(/\| admin +\|/);
    expect(ours.stdout).toBe(theirs.stdout);
  });
});

describe("os policy check", { timeout: 120_000 }, () => {
  it("denies identity:list_projects to demo, exit 1, naming the failed sub-checks", async () => {
    const r = await os(["policy", "check", "identity:list_projects", "-f", "json"], demo);
    expect(r.code, r.stderr).toBe(1);
    const out = JSON.parse(r.stdout);
    expect(out).toMatchObject({
      action: "identity:list_projects",
      service: "identity",
      allowed: false,
      roles: ["reader"],
      scope: "project",
      user_id: demoId,
    });
    expect(out.failed).toContain('role:admin (creds.roles [reader] lack "admin")');
    expect(out.failed.some((f: string) => f.startsWith("system_scope:all"))).toBe(true);
  });

  it("allows it to admin, exit 0, in a Field/Value table", async () => {
    const r = await os(["policy", "check", "identity:list_projects"], admin);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/\| allowed +\| True +\|/);
    expect(r.stdout).toMatch(/\| roles +\| (admin|member|reader) +\|/);
  });

  it("allows demo its own projects (the fallback's rule) but not admin's, from --target", async () => {
    const own = await os(["policy", "check", "identity:list_user_projects", "--target", `user_id=${demoId}`, "-f", "json"], demo);
    expect(own.code, own.stderr).toBe(0);
    expect(JSON.parse(own.stdout)).toMatchObject({ allowed: true, failed: [], target: { user_id: demoId } });
    const other = await os(["policy", "check", "identity:list_user_projects", "--target", `user_id=${adminId}`, "-f", "json"], demo);
    expect(other.code).toBe(1);
    expect(JSON.parse(other.stdout).failed).toContain(`user_id:%(user_id)s (creds.user_id "${demoId}" vs "${adminId}")`);
  });

  it("reads the other services' defaults: compute inferred from the action, target defaults to the caller's project", async () => {
    const index = await os(["policy", "check", "os_compute_api:servers:index", "-f", "json"], demo);
    expect(index.code, index.stderr).toBe(0);
    expect(JSON.parse(index.stdout)).toMatchObject({ service: "compute", allowed: true });
    const create = await os(["policy", "check", "os_compute_api:servers:create", "-f", "json"], demo);
    expect(create.code).toBe(1);
    expect(JSON.parse(create.stdout).failed).toContain('role:member (creds.roles [reader] lack "member")');
    const placement = await os(
      ["policy", "check", "placement:resource_providers:list", "--service", "placement", "-f", "value", "-c", "allowed"],
      demo,
    );
    expect(placement.stdout.trim()).toBe("False");
  });

  it("applies a --policy-file override, and rejects a malformed one or an unknown action with exit 2", async () => {
    const file = join(home, "policy.yaml");
    writeFileSync(file, '"identity:list_projects": "role:reader"\n');
    const r = await os(["policy", "check", "identity:list_projects", "--policy-file", file, "-f", "json"], demo);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ allowed: true, rule: "role:reader", policy_file: file });

    writeFileSync(file, '"identity:list_projects": "role:reader and ("\n');
    const bad = await os(["policy", "check", "identity:list_projects", "--policy-file", file], demo);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/identity:list_projects/);

    const unknown = await os(["policy", "check", "identity:no_such_thing"], demo);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/identity:no_such_thing has not been registered/);
    const badTarget = await os(["policy", "check", "identity:list_projects", "--target", "nokey"], demo);
    expect(badTarget.code).toBe(2);
    expect(badTarget.stderr).toMatch(/--target nokey: expected key=value/);
  });

  it("sees a role granted after the token was cached (asks Keystone, not the CLI's cache)", async () => {
    expect((await os(["policy", "check", "os_compute_api:servers:create"], demo)).code).toBe(1);
    await ok(["role", "add", "--user", "demo", "--project", "demo", "member"], admin);
    try {
      const r = await os(["policy", "check", "os_compute_api:servers:create", "-f", "json"], demo);
      expect(r.code, r.stderr).toBe(0);
      expect(JSON.parse(r.stdout).roles).toEqual(expect.arrayContaining(["member", "reader"]));
    } finally {
      await ok(["role", "remove", "--user", "demo", "--project", "demo", "member"], admin);
    }
  });
});
