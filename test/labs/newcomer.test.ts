import { execFile } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { type Server, createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { type CliResult, os } from "../helpers/cli.js";
import { freePort, isolatedPorts } from "../helpers/ports.js";
import { REPO_ROOT, distStatus } from "../helpers/runtime.js";

// A newcomer's first ten minutes: the README's first command (scripts/quickstart.sh) brings a cloud up,
// runs the nova lab and ends with the traces and five things to try; and the errors a newcomer meets
// are one line on stderr that says what to do.

const root = mkdtempSync(join(tmpdir(), "newcomer-"));
const clouds: string[] = [];
afterAll(async () => {
  for (const d of clouds) await os(["cloud", "down", "--state-dir", d]);
  rmSync(root, { recursive: true, force: true });
}, 60_000);

let n = 0;
const freshDir = () => join(root, `state-${++n}`);
const sets = (list: string[]) => list.flatMap((s) => ["--set", s]);

/** The one line a failed command printed, and that it is the only one (no stack trace, no usage). */
function oneLine(r: CliResult): string {
  const lines = r.stderr.trim().split("\n");
  expect(lines, r.stderr).toHaveLength(1);
  return lines[0] ?? "";
}

function quickstart(args: string[], env: NodeJS.ProcessEnv, timeoutMs: number): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(
      "bash",
      [join(REPO_ROOT, "scripts", "quickstart.sh"), ...args],
      {
        // No install (this machine is set up); from src/ when dist/ is not a build of it.
        env: { ...process.env, POCKETSTACK_SKIP_SETUP: "1", ...(distStatus().ok ? {} : { POCKETSTACK_DEV: "1" }), ...env },
        timeout: timeoutMs,
        maxBuffer: 64 * 1024 * 1024,
      },
      (err, stdout, stderr) => resolve({ code: err ? (typeof err.code === "number" ? err.code : 1) : 0, stdout, stderr }),
    );
  });
}

describe("errors a newcomer meets are one line saying what to do", () => {
  it("QEMU asked for but not installed", async () => {
    const dir = freshDir();
    const r = await os([
      "cloud",
      "up",
      "--driver",
      "qemu",
      "--state-dir",
      dir,
      ...sets([...(await isolatedPorts()), "libvirt.emulator=/nonexistent/qemu-system-x86_64"]),
    ]);
    expect(r.code).toBe(1);
    expect(oneLine(r)).toBe(
      "the qemu driver needs /nonexistent/qemu-system-x86_64, which is not installed: apt-get install qemu-system-x86 qemu-utils (or bring the cloud up with --driver fake)",
    );
    // Nothing was started.
    expect(existsSync(join(dir, "run", "supervisor.pid"))).toBe(false);
  });

  it("a port taken by another program", async () => {
    const taken: Server = createServer();
    const port = await freePort();
    await new Promise<void>((resolve) => taken.listen(port, "127.0.0.1", resolve));
    try {
      const ports = (await isolatedPorts()).filter((s) => !s.startsWith("api.keystone_port="));
      const r = await os(["cloud", "up", "--driver", "fake", "--state-dir", freshDir(), ...sets([...ports, `api.keystone_port=${port}`])]);
      expect(r.code).toBe(1);
      expect(oneLine(r)).toBe(
        `port ${port} (keystone) is already in use on 127.0.0.1: stop what uses it, or move keystone with --set api.keystone_port=…`,
      );
    } finally {
      taken.close();
    }
  });

  it("a state dir that cannot be written", async () => {
    // A path under a regular file can never be created, even by root (for whom permissions do not count).
    const file = join(root, "a-file");
    writeFileSync(file, "not a directory");
    const r = await os(["cloud", "up", "--driver", "fake", "--state-dir", join(file, "state")]);
    expect(r.code).toBe(1);
    expect(oneLine(r)).toBe(
      `the state directory ${join(file, "state")} is not writable (ENOTDIR): choose another with --state-dir or POCKETSTACK_HOME`,
    );
  });

  it("a cloud that was never brought up", async () => {
    const dir = freshDir();
    const r = await os(["server", "list", "--state-dir", dir]);
    expect(r.code).toBe(1);
    expect(oneLine(r)).toMatch(/or start the local cloud \(os cloud up\) so .*clouds\.yaml exists\.$/);
  });

  it("a cloud that is down (its profile is there, nothing answers)", async () => {
    const dir = freshDir();
    const port = await freePort();
    // The profile `os cloud up` leaves behind, pointing at a port nothing listens on.
    mkdirSync(dir, { recursive: true });
    writeFileSync(
      join(dir, "clouds.yaml"),
      `clouds:\n  pocketstack:\n    auth: {auth_url: "http://127.0.0.1:${port}/v3", username: admin, password: x, project_name: admin, user_domain_name: Default, project_domain_name: Default}\n`,
    );
    const r = await os(["server", "list", "--state-dir", dir]);
    expect(r.code).toBe(1);
    expect(oneLine(r)).toBe(
      `Unable to establish connection to http://127.0.0.1:${port}/v3/auth/tokens: ECONNREFUSED (is the local cloud up? \`os cloud status\` shows it, \`os cloud up\` starts it)`,
    );
  });
});

describe("scripts/quickstart.sh", () => {
  it("stops at once with the one line when the cloud cannot come up", async () => {
    const home = freshDir();
    const r = await quickstart(["--driver", "qemu", "--set", "libvirt.emulator=/nonexistent/qemu"], { POCKETSTACK_HOME: home }, 60_000);
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toMatch(/^the qemu driver needs \/nonexistent\/qemu, which is not installed: apt-get install/);
    expect(r.stdout).not.toContain("$ os lab run nova");
  }, 60_000);

  it("brings the cloud up, runs the nova lab, lists the traces and says what to try next", async () => {
    const home = freshDir();
    clouds.push(home);
    const r = await quickstart(["--driver", "fake", ...sets(await isolatedPorts())], { POCKETSTACK_HOME: home }, 280_000);
    expect(r.stdout, r.stderr).toMatch(/^Lab nova passed: \d+ passed, 0 failed/m);
    expect(r.code).toBe(0);
    const order = [
      "$ os cloud up",
      "| nova-api ",
      "$ os lab run nova",
      "Lab nova passed",
      "$ os trace list --limit 5",
      "Five things to try next",
    ];
    const at = order.map((s) => r.stdout.indexOf(s));
    expect(
      at.every((i) => i >= 0),
      `missing: ${order.filter((_, i) => at[i] === -1).join(", ")}`,
    ).toBe(true);
    expect([...at].sort((a, b) => a - b)).toEqual(at);
    // The trace list shows the requests the lab made.
    expect(r.stdout.slice(at[4])).toMatch(/\| req-[0-9a-f-]+/);
    expect(r.stdout).toContain(`state in ${home}`);
    for (const cmd of [
      "os lab run keystone",
      "os console log show vm1",
      "os console url show --novnc vm1",
      "os trace watch",
      "os cloud down",
    ])
      expect(r.stdout).toContain(cmd);
  }, 290_000);
});
