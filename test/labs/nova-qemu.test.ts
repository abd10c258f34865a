import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { os } from "../helpers/cli.js";
import { isolatedPorts } from "../helpers/ports.js";
import { labRun } from "./helpers.js";

// The nova lab on a real hypervisor: `os lab run nova --driver qemu` brings its own cloud up, boots a
// real guest under QEMU (TCG without KVM) and waits for `login:` on its serial console.

const hasQemu = (process.env.PATH ?? "").split(delimiter).some((d) => d && existsSync(join(d, "qemu-system-x86_64")));
const dir = mkdtempSync(join(tmpdir(), "labs-qemu-"));

afterAll(async () => {
  await os(["cloud", "down", "--state-dir", dir]);
  rmSync(dir, { recursive: true, force: true });
}, 60_000);

describe.skipIf(!hasQemu)("the nova lab with the QEMU driver", () => {
  it("boots a real guest to its login prompt, then deletes it", async () => {
    const sets = (await isolatedPorts()).flatMap((s) => ["--set", s]);
    const r = await labRun("nova", dir, ["--driver", "qemu", ...sets], {}, 300_000);
    expect(r.stdout, r.stderr).toMatch(/^Lab nova passed: 10 passed, 0 failed/m);
    expect(r.stdout).toContain("bringing it up (os cloud up)");
    expect(r.stdout).toContain("compute driver: qemu");
    expect(r.stdout).toMatch(/\| compute1 +\| QEMU/i);
    expect(r.stdout).toMatch(/login:/);
    expect(r.code).toBe(0);
  }, 300_000);
});
