import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { authRequestBody } from "../../src/client/session.js";
import { cloudsYamlPaths, identityRoot, resolveAuth } from "../../src/client/auth-config.js";

let dir: string;
let cwd: string;
let home: string;
let state: string;

const cloud = (name: string, user: string, extra = "") =>
  `  ${name}:\n    auth:\n      auth_url: http://${name}.example:5000/v3\n      username: ${user}\n      password: pw-${user}\n      project_name: p-${user}\n      user_domain_name: Default\n      project_domain_name: Default\n    region_name: R-${name}\n${extra}`;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "ps-auth-config-"));
  cwd = join(dir, "cwd");
  home = join(dir, "home");
  state = join(dir, "state");
  for (const d of [cwd, join(home, ".config", "openstack"), state]) mkdirSync(d, { recursive: true });
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe("resolveAuth", () => {
  it("uses the local cloud's profile when nothing else is given", () => {
    writeFileSync(join(state, "clouds.yaml"), `clouds:\n${cloud("pocketstack", "admin")}`);
    const r = resolveAuth({ env: {}, cwd, home, stateDir: state });
    expect(r.auth).toMatchObject({
      auth_url: "http://pocketstack.example:5000/v3",
      username: "admin",
      password: "pw-admin",
      region_name: "R-pocketstack",
      interface: "public",
    });
    expect(r.source).toContain(join(state, "clouds.yaml"));
  });

  it("prefers OS_* variables over the local profile", () => {
    writeFileSync(join(state, "clouds.yaml"), `clouds:\n${cloud("pocketstack", "admin")}`);
    const env = {
      OS_AUTH_URL: "http://env:5000",
      OS_USERNAME: "alice",
      OS_PASSWORD: "a",
      OS_PROJECT_NAME: "demo",
      OS_SYSTEM_SCOPE: "all",
      OS_INTERFACE: "internalURL",
    };
    const r = resolveAuth({ env, cwd, home, stateDir: state });
    expect(r.auth).toMatchObject({
      auth_url: "http://env:5000",
      username: "alice",
      project_name: "demo",
      system_scope: "all",
      interface: "internal",
    });
    expect(r.auth.region_name).toBeUndefined();
  });

  it("a named cloud wins over OS_* and is not mixed with them; ./clouds.yaml is searched before ~/.config", () => {
    writeFileSync(join(cwd, "clouds.yaml"), `clouds:\n${cloud("lab", "from-cwd")}`);
    writeFileSync(join(home, ".config", "openstack", "clouds.yaml"), `clouds:\n${cloud("lab", "from-home")}${cloud("other", "bob")}`);
    const env = { OS_AUTH_URL: "http://env:5000", OS_USERNAME: "alice", OS_PASSWORD: "a", OS_USER_DOMAIN_ID: "leak" };
    const r = resolveAuth({ env, cwd, home, stateDir: state, cloud: "lab" });
    expect(r.auth.username).toBe("from-cwd");
    expect(r.auth.user_domain_id).toBeUndefined();
    expect(resolveAuth({ env: { OS_CLOUD: "other" }, cwd, home, stateDir: state }).auth.username).toBe("bob");
  });

  it("explicit options override the chosen source field by field", () => {
    writeFileSync(join(home, ".config", "openstack", "clouds.yaml"), `clouds:\n${cloud("lab", "bob")}`);
    const r = resolveAuth({
      env: {},
      cwd,
      home,
      stateDir: state,
      cloud: "lab",
      explicit: { project_name: "other", region_name: undefined },
    });
    expect(r.auth).toMatchObject({ username: "bob", project_name: "other", region_name: "R-lab" });
  });

  it("names every place it looked when a cloud is missing, and says how to get credentials when there are none", () => {
    expect(() => resolveAuth({ env: {}, cwd, home, stateDir: state, cloud: "nope" })).toThrow(/Cloud nope was not found.*clouds\.yaml/);
    expect(() => resolveAuth({ env: {}, cwd, home, stateDir: state })).toThrow(/OS_AUTH_URL.*os cloud up/);
    expect(cloudsYamlPaths({ env: {}, cwd, home, stateDir: state })).toEqual([
      join(cwd, "clouds.yaml"),
      join(home, ".config", "openstack", "clouds.yaml"),
      "/etc/openstack/clouds.yaml",
      join(state, "clouds.yaml"),
    ]);
  });

  it("rejects a clouds.yaml that is not YAML with the file's name", () => {
    writeFileSync(join(cwd, "clouds.yaml"), "clouds: [unclosed\n");
    expect(() => resolveAuth({ env: {}, cwd, home, stateDir: state, cloud: "x" })).toThrow(/clouds\.yaml is not valid YAML/);
  });
});

describe("auth request body", () => {
  it("password auth defaults the user and project domain to 'default', like the openstack client", () => {
    expect(authRequestBody({ auth_url: "x", username: "u", password: "p", project_name: "demo" })).toEqual({
      auth: {
        identity: { methods: ["password"], password: { user: { name: "u", domain: { id: "default" }, password: "p" } } },
        scope: { project: { name: "demo", domain: { id: "default" } } },
      },
    });
  });
  it("system scope, domain scope, token and application credential methods", () => {
    expect(authRequestBody({ auth_url: "x", user_id: "123", password: "p", system_scope: "all" }).auth).toMatchObject({
      scope: { system: { all: true } },
    });
    expect(authRequestBody({ auth_url: "x", token: "t", domain_name: "D" }).auth).toEqual({
      identity: { methods: ["token"], token: { id: "t" } },
      scope: { domain: { name: "D" } },
    });
    expect(
      authRequestBody({ auth_url: "x", application_credential_id: "ac", application_credential_secret: "s", project_name: "ignored" }),
    ).toEqual({
      auth: { identity: { methods: ["application_credential"], application_credential: { id: "ac", secret: "s" } } },
    });
    expect(() => authRequestBody({ auth_url: "x", username: "u" })).toThrow(/password required/);
  });
  it("identityRoot accepts auth URLs with or without /v3", () => {
    expect(identityRoot("http://h:5000")).toBe("http://h:5000/v3");
    expect(identityRoot("http://h:5000/v3/")).toBe("http://h:5000/v3");
    expect(identityRoot("http://h/identity")).toBe("http://h/identity/v3");
  });
});
