import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type KeystoneHandle, startKeystone } from "../helpers/keystone.js";
import { os } from "./run.js";

let ks: KeystoneHandle;
let home: string;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  ks = await startKeystone();
  home = mkdtempSync(join(tmpdir(), "ps-cli-home-"));
  env = {
    OS_AUTH_URL: `${ks.url}/v3`,
    OS_USERNAME: "admin",
    OS_PASSWORD: ks.adminPassword,
    OS_PROJECT_NAME: "admin",
    OS_USER_DOMAIN_NAME: "Default",
    OS_PROJECT_DOMAIN_NAME: "Default",
    POCKETSTACK_HOME: home,
  };
}, 60_000);
afterAll(async () => {
  await ks?.stop();
  if (home) rmSync(home, { recursive: true, force: true });
});

const ok = async (args: string[], e: NodeJS.ProcessEnv = env) => {
  const r = await os(args, e);
  if (r.code !== 0) throw new Error(`os ${args.join(" ")} failed (${r.code}): ${r.stderr}`);
  return r.stdout;
};

// Each `os` run starts node + tsx (1-3 s on a busy machine): generous per-test timeouts.
describe("os identity commands against a live keystone", { timeout: 120_000 }, () => {
  it("token issue prints the openstack client's fields, and a second command reuses the cached token", async () => {
    const first = JSON.parse(await ok(["token", "issue", "-f", "json"]));
    expect(Object.keys(first)).toEqual(["expires", "id", "project_id", "user_id"]);
    expect(first.expires).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+0000$/);
    const second = (await ok(["token", "issue", "-c", "id", "-f", "value"])).trim();
    expect(second).toBe(first.id);
  });

  it("creates a project, user and grant, and lists them in every format", async () => {
    await ok(["project", "create", "demo", "--description", "Demo project"]);
    const user = JSON.parse(await ok(["user", "create", "alice", "--password", "pw", "--project", "demo", "-f", "json"]));
    expect(Object.keys(user)).toEqual(["default_project_id", "domain_id", "enabled", "id", "name", "options", "password_expires_at"]);
    expect(user).toMatchObject({ name: "alice", domain_id: "default", enabled: true, options: {}, password_expires_at: null });
    await ok(["role", "add", "--user", "alice", "--project", "demo", "member"]);

    const table = await ok(["user", "list"]);
    expect(table.split("\n")[1]).toMatch(/^\| ID +\| Name +\|$/);
    expect(table).toMatch(/\| alice +\|/);
    expect(await ok(["user", "list", "-f", "csv", "--sort-column", "Name"])).toMatch(
      /^"ID","Name"\n"[0-9a-f]{32}","admin"\n"[0-9a-f]{32}","alice"\n?$/,
    );
    expect((await ok(["user", "show", "alice", "-c", "default_project_id", "-f", "value"])).trim()).toBe(
      (await ok(["project", "show", "demo", "-c", "id", "-f", "value"])).trim(),
    );

    const assignments = JSON.parse(
      await ok(["role", "assignment", "list", "--user", "alice", "--project", "demo", "--names", "-f", "json"]),
    );
    expect(assignments).toEqual([
      { Role: "member", User: "alice@Default", Group: "", Project: "demo@Default", Domain: "", System: "", Inherited: false },
    ]);
    const header = (await ok(["role", "assignment", "list"])).split("\n")[1];
    expect(
      header
        ?.split("|")
        .map((c) => c.trim())
        .filter(Boolean),
    ).toEqual(["Role", "User", "Group", "Project", "Domain", "System", "Inherited"]);

    // alice can log in with what was set up, scoped to demo, and sees her own project
    const asAlice = { ...env, OS_USERNAME: "alice", OS_PASSWORD: "pw", OS_PROJECT_NAME: "demo" };
    expect((await ok(["project", "list", "--my-projects", "-f", "value", "-c", "Name"], asAlice)).trim()).toBe("demo");
  });

  it("lists endpoints and the catalog with the openstack client's columns and cells", async () => {
    const endpoints = JSON.parse(await ok(["endpoint", "list", "-f", "json"]));
    expect(Object.keys(endpoints[0])).toEqual(["ID", "Region", "Service Name", "Service Type", "Enabled", "Interface", "URL"]);
    expect(endpoints.map((e: { Interface: string }) => e.Interface).sort()).toEqual(["admin", "internal", "public"]);
    const catalog = await ok(["catalog", "list"]);
    expect(catalog).toContain(`|          |          |   public: ${ks.url}/v3`);
    expect(catalog).toMatch(/\| keystone \| identity \| RegionOne +\|/);
  });

  it("group add user / remove user change membership, and name each user that failed", async () => {
    await ok(["group", "create", "devs"]);
    await ok(["user", "create", "gina", "--password", "pw"]);
    await ok(["user", "create", "hugo", "--password", "pw"]);
    await ok(["group", "add", "user", "devs", "gina", "hugo"]);
    const members = async () =>
      JSON.parse(await ok(["user", "list", "--group", "devs", "-f", "json"]))
        .map((u: { Name: string }) => u.Name)
        .sort();
    expect(await members()).toEqual(["gina", "hugo"]);

    const partly = await os(["group", "remove", "user", "devs", "gina", "nosuch"], env);
    expect(partly.code).toBe(1);
    expect(partly.stderr).toContain("nosuch not removed from group devs: No user with a name or ID of 'nosuch' exists.");
    expect(partly.stderr).toContain("1 of 2 users not removed from group devs.");
    expect(await members()).toEqual(["hugo"]);
    const notAdded = await os(["group", "add", "user", "devs", "nobody"], env);
    expect(notAdded.code).toBe(1);
    expect(notAdded.stderr).toContain("1 of 1 users not added to group devs.");
  });

  it("says what is wrong: unknown names, several failures, bad credentials", async () => {
    const missing = await os(["user", "show", "nosuch"], env);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain("No user with a name or ID of 'nosuch' exists.");
    const del = await os(["project", "delete", "nope1", "nope2"], env);
    expect(del.code).toBe(1);
    expect(del.stderr).toContain("Failed to delete project with name or ID 'nope1': No project with a name or ID of 'nope1' exists.");
    expect(del.stderr).toContain("2 of 2 projects failed to delete.");
    const bad = await os(["token", "issue"], { ...env, OS_PASSWORD: "wrong" });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/The request you have made requires authentication\. \(HTTP 401\) \(Request-ID: req-/);
  });

  it("finds credentials in the local cloud's profile and in clouds.yaml via --os-cloud", async () => {
    const cloud = (name: string) =>
      `clouds:\n  ${name}:\n    auth:\n      auth_url: ${ks.url}/v3\n      username: admin\n      password: ${ks.adminPassword}\n      project_name: admin\n      user_domain_name: Default\n      project_domain_name: Default\n    region_name: RegionOne\n`;
    writeFileSync(join(home, "clouds.yaml"), cloud("pocketstack"));
    const cwd = mkdtempSync(join(tmpdir(), "ps-cli-cwd-"));
    writeFileSync(join(cwd, "clouds.yaml"), cloud("lab"));
    try {
      const noEnv = { POCKETSTACK_HOME: home };
      expect(await ok(["project", "list", "-f", "value", "-c", "Name"], noEnv)).toContain("admin");
      const r = await os(
        ["user", "list", "--os-cloud", "lab", "-f", "value", "-c", "Name"],
        { HOME: cwd, POCKETSTACK_HOME: join(cwd, "none") },
        { cwd },
      );
      expect(r.stderr).toBe("");
      expect(r.stdout).toContain("admin");
    } finally {
      rmSync(cwd, { recursive: true, force: true });
    }
  });
});
