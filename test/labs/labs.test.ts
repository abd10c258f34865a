import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { os } from "../helpers/cli.js";
import { isolatedPorts } from "../helpers/ports.js";
import { failedAt, interactiveRun, labRun, labsWith as copyLabsWith } from "./helpers.js";

// Every lab, green, against one cloud (fake driver, isolated ports) — then each lab again with one
// thing broken on purpose, failing at the step that checks it with a readable line.

const dir = mkdtempSync(join(tmpdir(), "labs-e2e-"));
const hasOpenssl = (process.env.PATH ?? "").split(delimiter).some((d) => d && existsSync(join(d, "openssl")));
let sets: string[] = [];
const withState = (args: string[]) => [...args, "--state-dir", dir];
const copies: string[] = [];
const labsWith = (lab: string, edit: (text: string) => string) => {
  const copy = copyLabsWith(lab, edit);
  copies.push(copy);
  return copy;
};

beforeAll(async () => {
  sets = await isolatedPorts();
  const up = await os(withState(["cloud", "up", "--driver", "fake", ...sets.flatMap((s) => ["--set", s])]), {}, 170_000);
  expect(up.code, up.stderr).toBe(0);
}, 180_000);

afterAll(async () => {
  await os(withState(["cloud", "down"]));
  for (const d of [dir, ...copies]) rmSync(d, { recursive: true, force: true });
}, 60_000);

async function green(lab: string) {
  const r = await labRun(lab, dir);
  expect(r.stdout, r.stderr).toMatch(new RegExp(`^Lab ${lab} passed: \\d+ passed, 0 failed`, "m"));
  expect(r.code).toBe(0);
  expect(r.stdout).not.toMatch(/✗/);
  return r;
}

describe("os lab list", () => {
  it("lists the six labs with their titles and step counts", async () => {
    const r = await os(["lab", "list", "-f", "json"]);
    expect(r.code).toBe(0);
    const rows = JSON.parse(r.stdout) as Array<{ Name: string; Title: string; Steps: number }>;
    expect(rows.map((x) => x.Name)).toEqual(["infrastructure", "keystone", "glance-placement", "nova", "tls", "middleware"]);
    for (const x of rows) {
      expect(x.Title.length).toBeGreaterThan(10);
      expect(x.Steps).toBeGreaterThan(3);
    }
  });

  it("names the file and field of a malformed lab, and exits 1", async () => {
    const labs = labsWith("tls", (t) =>
      t.replace("    expect:\n      json:\n        $.kind: server", "    expcet:\n      json:\n        $.kind: server"),
    );
    const r = await os(["lab", "list"], { POCKETSTACK_LABS_DIR: labs });
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/\| nova +\|/);
    expect(r.stderr).toMatch(/tls\.yaml: step 4 \("Issue a server certificate for 127\.0\.0\.1 and localhost"\): unknown field 'expcet'/);
  });
});

describe("infrastructure", () => {
  it("passes", async () => {
    const r = await green("infrastructure");
    expect(r.stdout).toContain("[1/6] List the services and their processes");
  }, 120_000);

  it("fails at the databases step when it expects a database that is not there", async () => {
    const labs = labsWith("infrastructure", (t) => t.replace("nova_cell0.sqlite, nova.sqlite]", "nova_cell0.sqlite, nova_cell1.sqlite]"));
    const r = await labRun("infrastructure", dir, [], { POCKETSTACK_LABS_DIR: labs });
    expect(r.code).toBe(1);
    expect(failedAt(r.stdout)).toBe('step 3 ("One database per service"): the output does not contain "nova_cell1.sqlite"');
    expect(r.stdout).toMatch(/2 passed, 1 failed, 3 not run/);
  }, 120_000);
});

describe("keystone", () => {
  it("passes, with the reader refused /v3/projects", async () => {
    const r = await green("keystone");
    expect(r.stdout).toContain("You are not authorized to perform the requested action: identity:list_projects.");
    expect(r.stdout).toMatch(/cleanup ok/);
  }, 200_000);

  it("fails at the implied roles step when member no longer implies reader", async () => {
    const del = await os(withState(["implied", "role", "delete", "member", "--implied-role", "reader"]));
    expect(del.code, del.stderr).toBe(0);
    try {
      const r = await labRun("keystone", dir);
      expect(r.code).toBe(1);
      expect(failedAt(r.stdout)).toBe(
        'step 7 ("Implied roles"): no row with Prior Role Name=member, Implied Role Name=reader in the table',
      );
      // Nothing was created before the failure, so the cleanup skips its deletes.
      expect(r.stdout).toMatch(/– skipped: step 13 did not pass/);
    } finally {
      const back = await os(withState(["implied", "role", "create", "member", "--implied-role", "reader"]));
      expect(back.code, back.stderr).toBe(0);
    }
  }, 200_000);
});

describe("glance-placement", () => {
  it("passes", async () => {
    const r = await green("glance-placement");
    expect(r.stdout).toMatch(/saved rp=[0-9a-f-]{36}/);
  }, 200_000);

  it("--step reruns one step with the values the last run saved", async () => {
    const r = await labRun("glance-placement", dir, ["--step", "9"]);
    expect(r.stdout).toContain("step 9 only");
    expect(r.stdout).toMatch(/\[9\/14\] compute1's inventory\n(.*\n)* {2}\$ os resource provider inventory list [0-9a-f-]{36}\n/);
    expect(r.stdout).toMatch(/Lab glance-placement passed: 1 passed, 0 failed/);
    expect(r.code).toBe(0);
  }, 60_000);

  it("fails at the image show step when cirros is no longer public", async () => {
    const set = await os(withState(["image", "set", "--private", "cirros"]));
    expect(set.code, set.stderr).toBe(0);
    try {
      const r = await labRun("glance-placement", dir);
      expect(r.code).toBe(1);
      expect(failedAt(r.stdout)).toBe('step 2 ("Show the cirros image as JSON"): expected $.visibility to be "public", got "private"');
      expect(r.stdout).toMatch(/cleanup ok/);
    } finally {
      await os(withState(["image", "set", "--public", "cirros"]));
    }
  }, 120_000);
});

describe("nova", () => {
  it("passes, showing the whole provisioning flow in the trace", async () => {
    const r = await green("nova");
    expect(r.stdout).toMatch(/\$ os trace show req-[0-9a-f-]{36}/);
    for (const span of [
      "ServersController.create",
      "SchedulerManager.select_destinations",
      "ComputeManager.build_and_run_instance",
      "Guest.create",
    ])
      expect(r.stdout).toContain(span);
    expect(r.stdout).toContain("login:");
  }, 280_000);

  it("fails at the compute service step when compute2 is disabled", async () => {
    const off = await os(withState(["compute", "service", "set", "--disable", "compute2", "nova-compute"]));
    expect(off.code, off.stderr).toBe(0);
    try {
      const r = await labRun("nova", dir);
      expect(r.code).toBe(1);
      expect(failedAt(r.stdout)).toBe(
        'step 1 ("The compute services"): no row with Binary=nova-compute, Host=compute2, Zone=nova, Status=enabled, State=up in the table',
      );
    } finally {
      await os(withState(["compute", "service", "set", "--enable", "compute2", "nova-compute"]));
    }
  }, 120_000);
});

describe("tls", () => {
  const tlsCloud = join(dir, "labs", "tls", "tls-cloud");

  it("passes: a second cloud serves https endpoints, then is stopped and removed", async () => {
    const r = await green("tls");
    const keystonePort = JSON.parse(readFileSync(join(dir, "labs", "tls", "vars.json"), "utf8"))["port.keystone"] as string;
    expect(keystonePort).toMatch(/^\d+$/);
    expect(r.stdout).toContain(`URL": "https://127.0.0.1:${keystonePort}/v3"`);
    if (hasOpenssl) expect(r.stdout).toContain("Verify return code: 0 (ok)");
    expect(r.stdout).toMatch(
      /Unable to establish connection to https:.*(UNABLE_TO_GET_ISSUER_CERT_LOCALLY|unable to get local issuer certificate)/,
    );
    expect(r.stdout).toMatch(/stopped the cloud in .*tls-cloud/);
    expect(existsSync(tlsCloud)).toBe(false);
    // The learner's own cloud still answers over plain HTTP.
    const list = await os(withState(["endpoint", "list", "--interface", "public", "-f", "value", "-c", "URL"]));
    expect(list.stdout).toMatch(/^http:\/\/127\.0\.0\.1:/m);
    expect(list.stdout).not.toMatch(/https:/);
  }, 300_000);

  it("fails at the profile step when the second cloud is brought up without --tls", async () => {
    const labs = labsWith("tls", (t) => t.replace("      - up\n      - --tls\n", "      - up\n"));
    const r = await labRun("tls", dir, [], { POCKETSTACK_LABS_DIR: labs });
    expect(r.code).toBe(1);
    expect(failedAt(r.stdout)).toMatch(
      /^step 15 \("Its profile trusts the cloud's CA"\): the output does not contain "auth_url: https:\/\/127\.0\.0\.1:\d+\/v3"$/,
    );
    expect(r.stdout).toMatch(/stopped the cloud in .*tls-cloud/);
    expect(existsSync(tlsCloud)).toBe(false);
  }, 300_000);

  it("fails at the verify step when the client dials a name the certificate does not cover", async () => {
    const labs = labsWith("tls", (t) =>
      t.replace("os: [ca, verify, lab-server, --host, 127.0.0.1, --ca-dir", "os: [ca, verify, lab-server, --host, 10.9.8.7, --ca-dir"),
    );
    const r = await labRun("tls", dir, [], { POCKETSTACK_LABS_DIR: labs });
    expect(r.code).toBe(1);
    expect(failedAt(r.stdout)).toMatch(
      /^step 6 \("Verify it as a client would, for 127\.0\.0\.1"\): exit code 1, expected 0: .*does not cover IP address '10\.9\.8\.7'/,
    );
  }, 200_000);
});

describe("os lab run --interactive", () => {
  const prompt = (n: number) => `-- Enter runs step ${n}/20, q stops: `;

  it("pauses before each step, runs it on Enter, stops on q (cleanup still runs)", async () => {
    const p = interactiveRun("tls", dir);
    await p.waitFor(prompt(1));
    // Paused: nothing of step 1 happens until the learner answers.
    await new Promise((r) => setTimeout(r, 1500));
    expect(p.stdout()).not.toContain("[1/20]");
    p.type("\n");
    await p.waitFor(prompt(2));
    expect(p.stdout()).toMatch(/\[1\/20\] Create a root and an intermediate CA\n(.*\n)* {2}✓ Create a root and an intermediate CA\n/);
    expect(p.stdout()).not.toContain("[2/20]");
    p.type("\n");
    await p.waitFor(prompt(3));
    expect(p.stdout()).toContain("✓ The CA's certificates");
    p.type("q\n");
    const { code, stdout } = await p.exit;
    expect(stdout).not.toContain("[3/20]");
    expect(stdout).toContain("[cleanup 1/2] Stop the second cloud");
    expect(stdout).toMatch(/^Lab tls stopped before the end: 2 passed, 0 failed, 18 not run, cleanup ok\.$/m);
    expect(code).toBe(1);
  }, 120_000);

  it("uses answers piped ahead one per pause, and stops when the input ends", async () => {
    const ahead = interactiveRun("tls", dir);
    ahead.type("\n\nq\n");
    const a = await ahead.exit;
    expect(a.stdout).toContain("✓ The CA's certificates");
    expect(a.stdout).toMatch(/^Lab tls stopped before the end: 2 passed, 0 failed, 18 not run, cleanup ok\.$/m);

    const ended = interactiveRun("tls", dir);
    ended.end();
    const e = await ended.exit;
    expect(e.stdout).toContain(prompt(1));
    expect(e.stdout).not.toContain("[1/20]");
    expect(e.stdout).toMatch(/^Lab tls stopped before the end: 0 passed, 0 failed, 20 not run, cleanup ok\.$/m);
    expect(e.code).toBe(1);
  }, 120_000);
});

describe("middleware", () => {
  const paste = join(dir, "etc", "keystone", "api-paste.ini");

  it("passes, and leaves Keystone's api-paste.ini as it found it", async () => {
    const before = readFileSync(paste, "utf8");
    const r = await green("middleware");
    expect(r.stdout).toMatch(/"code": 413/);
    expect(readFileSync(paste, "utf8")).toBe(before);
    expect(existsSync(`${paste}.lab-orig`)).toBe(false);
  }, 200_000);

  it("fails at the first step when someone took sizelimit out of the pipeline already", async () => {
    const before = readFileSync(paste, "utf8");
    writeFileSync(
      paste,
      before.replace("pipeline = request_id faultwrap sizelimit trace service_v3", "pipeline = request_id faultwrap trace service_v3"),
    );
    try {
      const r = await labRun("middleware", dir);
      expect(r.code).toBe(1);
      expect(failedAt(r.stdout)).toBe(
        `step 1 ("Keystone's pipeline"): the output does not contain "pipeline = request_id faultwrap sizelimit trace service_v3"`,
      );
    } finally {
      writeFileSync(paste, before);
    }
  }, 120_000);
});

describe("os lab reset", () => {
  it("wipes the state dir but pocketstack.conf, and brings a clean cloud up", async () => {
    const conf = readFileSync(join(dir, "pocketstack.conf"), "utf8");
    const oldPassword = readFileSync(join(dir, "admin-openrc"), "utf8").match(/OS_PASSWORD='([^']+)'/)?.[1];
    const r = await os(withState(["lab", "reset", ...sets.flatMap((s) => ["--set", s])]), {}, 170_000);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/Stopped the cloud; removed .*db.* \(kept pocketstack\.conf\)/);
    expect(readFileSync(join(dir, "pocketstack.conf"), "utf8")).toBe(conf);
    expect(existsSync(join(dir, "labs"))).toBe(false);
    const newPassword = readFileSync(join(dir, "admin-openrc"), "utf8").match(/OS_PASSWORD='([^']+)'/)?.[1];
    expect(newPassword).not.toBe(oldPassword);
    const users = await os(withState(["user", "list", "-f", "value", "-c", "Name"]));
    expect(users.stdout.trim().split("\n").sort()).toEqual(["admin", "pocketstack-service"]);
  }, 180_000);

  it("refuses to wipe a directory that is not a state dir", async () => {
    const plain = mkdtempSync(join(tmpdir(), "not-state-"));
    writeFileSync(join(plain, "precious.txt"), "keep me");
    const r = await os(["lab", "reset", "--state-dir", plain, "--down"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/refusing to wipe .*: it has no pocketstack\.conf or run\//);
    expect(existsSync(join(plain, "precious.txt"))).toBe(true);
    rmSync(plain, { recursive: true, force: true });
  });
});
