import { execFileSync } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type PlacementCloud, openstack, os, parseTable, startPlacementCloud } from "./cloud.js";

// The real openstack client (python3-openstackclient + python3-osc-placement) and our `os` CLI, run
// against the same keystone + placement: same commands, same output.
function realClient(): string | undefined {
  try {
    // Answers only when the osc-placement plugin is there to provide the command.
    execFileSync("openstack", ["resource", "provider", "create", "--help"], { stdio: "ignore", timeout: 30_000 });
    return undefined;
  } catch {
    return "the real openstack client with osc-placement is not installed (apt-get install python3-openstackclient python3-osc-placement)";
  }
}
const skipReason = realClient();
if (skipReason) console.warn(`skipping placement client parity: ${skipReason}`);

let cloud: PlacementCloud;
beforeAll(async () => {
  if (!skipReason) cloud = await startPlacementCloud();
}, 90_000);
afterAll(async () => {
  await cloud?.stop();
});

describe.skipIf(Boolean(skipReason))("openstack (osc-placement 4.0) and os print the same", () => {
  it("resource provider create / inventory set / usage show / allocation candidate list / trait list / resource class list", async () => {
    const [theirs, ours] = await Promise.all([
      openstack(["resource", "provider", "create", "parity-osc"], cloud.env),
      os(["resource", "provider", "create", "parity-ours"], cloud.env),
    ]);
    expect(theirs.code, theirs.stderr).toBe(0);
    expect(ours.code, ours.stderr).toBe(0);
    const a = parseTable(theirs.stdout);
    const b = parseTable(ours.stdout);
    expect(b.header).toEqual(["Field", "Value"]);
    expect(b.rows.map((r) => r[0])).toEqual(a.rows.map((r) => r[0]));
    expect(a.rows.map((r) => r[0])).toEqual(["uuid", "name", "generation", "root_provider_uuid", "parent_provider_uuid"]);
    const rp = a.rows[0]?.[1] as string;
    const mine = b.rows[0]?.[1] as string;
    expect(b.rows.map((r) => r[1])).toEqual([mine, "parity-ours", "0", mine, "None"]);
    expect(a.rows.map((r) => r[1])).toEqual([rp, "parity-osc", "0", rp, "None"]);

    // Same command, same provider state: the whole output must match, one client after the other.
    // Reads run both clients at once; writes one after the other (the second sees the first's result).
    const same = async (args: string[], check?: (out: string) => void, write = false) => {
      const [t, o] = write
        ? [await openstack(args, cloud.env), await os(args, cloud.env)]
        : await Promise.all([openstack(args, cloud.env), os(args, cloud.env)]);
      expect(t.code, `openstack ${args.join(" ")}: ${t.stderr}`).toBe(0);
      expect(o.code, `os ${args.join(" ")}: ${o.stderr}`).toBe(0);
      expect(o.stdout, `os ${args.join(" ")}`).toBe(t.stdout);
      check?.(o.stdout);
    };
    const inventory = [
      "--resource",
      "VCPU=8",
      "--resource",
      "VCPU:allocation_ratio=16",
      "--resource",
      "MEMORY_MB=4096",
      "--resource",
      "MEMORY_MB:reserved=512",
      "--resource",
      "DISK_GB=100",
    ];
    await Promise.all([
      same(
        ["resource", "provider", "inventory", "set", rp, ...inventory],
        (out) => {
          expect(out).toMatch(/\| VCPU\s+\|\s+16\.0 \|/);
          expect(parseTable(out).header).toEqual([
            "resource_class",
            "allocation_ratio",
            "min_unit",
            "max_unit",
            "reserved",
            "step_size",
            "total",
          ]);
        },
        true,
      ),
      same(["resource", "provider", "inventory", "set", mine, ...inventory], undefined, true),
    ]);
    await same(
      ["resource", "provider", "trait", "set", rp, "--trait", "HW_CPU_X86_AVX2", "--trait", "COMPUTE_STATUS_DISABLED"],
      undefined,
      true,
    );
    // A write: each run moves the provider generation on, so compare everything but that column.
    const claim = [
      "resource",
      "provider",
      "allocation",
      "set",
      "0b4f0a6f-9d40-4fd1-8d5e-0b9a0e3b1a10",
      "--allocation",
      `rp=${rp},VCPU=2,MEMORY_MB=1024`,
      "--project-id",
      "p1",
      "--user-id",
      "u1",
    ];
    const [ct, co] = [await openstack(claim, cloud.env), await os(claim, cloud.env)];
    expect([ct.code, co.code]).toEqual([0, 0]);
    const withoutGeneration = (out: string) => {
      const t = parseTable(out);
      return [t.header, ...t.rows].map((r) => r.filter((_, i) => i !== 1));
    };
    expect(withoutGeneration(co.stdout)).toEqual(withoutGeneration(ct.stdout));
    expect(parseTable(co.stdout).header).toEqual(["resource_provider", "generation", "resources", "project_id", "user_id"]);
    expect(parseTable(co.stdout).rows[0]?.[2]).toBe("{'VCPU': 2, 'MEMORY_MB': 1024}");
    // Two pairs at a time: the machine is small and the python client slow to start.
    const reads: Array<() => Promise<void>> = [
      () => same(["resource", "provider", "allocation", "show", "0b4f0a6f-9d40-4fd1-8d5e-0b9a0e3b1a10"]),
      () =>
        same(["resource", "provider", "usage", "show", rp], (out) => {
          expect(parseTable(out).rows).toEqual(
            expect.arrayContaining([
              ["VCPU", "2"],
              ["MEMORY_MB", "1024"],
              ["DISK_GB", "0"],
            ]),
          );
        }),
      () => same(["resource", "provider", "inventory", "list", rp]),
      () =>
        same(["allocation", "candidate", "list", "--resource", "VCPU=1"], (out) => {
          expect(parseTable(out).header).toEqual(["#", "allocation", "resource provider", "inventory used/capacity", "traits"]);
          expect(parseTable(out).rows).toHaveLength(2);
        }),
      () => same(["allocation", "candidate", "list", "--resource", "VCPU=1", "--required", "HW_CPU_X86_AVX2", "--limit", "5"]),
      () =>
        same(["allocation", "candidate", "list", "--resource", "VCPU=1", "--os-placement-api-version", "1.10"], (out) => {
          expect(parseTable(out).header).toEqual(["#", "allocation", "resource provider", "inventory used/capacity"]);
        }),
      () => same(["trait", "list"], (out) => expect(out).toContain("| HW_CPU_X86_AVX2 ")),
      () =>
        same(["resource", "class", "list"], (out) =>
          expect(parseTable(out).rows.map((r) => r[0])).toEqual(expect.arrayContaining(["VCPU", "MEMORY_MB", "DISK_GB"])),
        ),
      () => same(["resource", "provider", "list", "--os-placement-api-version", "1.0", "--sort-column", "name"]),
      () => same(["resource", "usage", "show", "p1"]),
    ];
    for (let i = 0; i < reads.length; i += 2) await Promise.all(reads.slice(i, i + 2).map((r) => r()));
  }, 240_000);
});
