import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type PlacementCloud, os, parseTable, startPlacementCloud } from "./cloud.js";

// Our `os` Placement commands against a real keystone + placement-api, checked the way a user reads them.
let cloud: PlacementCloud;
beforeAll(async () => {
  cloud = await startPlacementCloud();
}, 90_000);
afterAll(async () => {
  await cloud?.stop();
});

const json = async (args: string[]) => {
  const r = await os([...args, "-f", "json"], cloud.env);
  expect(r.code, `os ${args.join(" ")}: ${r.stderr}`).toBe(0);
  return JSON.parse(r.stdout);
};
const ok = async (args: string[]) => {
  const r = await os(args, cloud.env);
  expect(r.code, `os ${args.join(" ")}: ${r.stderr}`).toBe(0);
  return r.stdout;
};

describe("os resource / trait / allocation commands", () => {
  it("manage a provider tree, its inventory, traits, aggregates and a consumer's allocations", async () => {
    const parent = await json(["resource", "provider", "create", "cli-host"]);
    const child = await json(["resource", "provider", "create", "cli-numa0", "--parent-provider", parent.uuid]);
    expect(child).toMatchObject({ name: "cli-numa0", parent_provider_uuid: parent.uuid, root_provider_uuid: parent.uuid, generation: 0 });

    // `class set` (with osc-placement's --max_unit spelling) updates a class the provider already has.
    await ok(["resource", "provider", "inventory", "set", child.uuid, "--resource", "VCPU=8"]);
    const inv = await json([
      "resource",
      "provider",
      "inventory",
      "class",
      "set",
      child.uuid,
      "VCPU",
      "--total",
      "16",
      "--max_unit",
      "4",
      "--allocation_ratio",
      "2",
    ]);
    expect(inv).toMatchObject({ total: 16, max_unit: 4, allocation_ratio: 2, reserved: 0 });
    const show = await ok(["resource", "provider", "inventory", "show", child.uuid, "VCPU"]);
    expect(show).toMatch(/\| allocation_ratio \| 2\.0 +\|/);
    expect(show).toMatch(/\| used +\| 0 +\|/);

    await ok(["trait", "create", "CUSTOM_CLI_FAST"]);
    expect(await json(["trait", "show", "CUSTOM_CLI_FAST"])).toEqual({ name: "CUSTOM_CLI_FAST" });
    expect(await json(["resource", "provider", "trait", "set", child.uuid, "--trait", "CUSTOM_CLI_FAST"])).toEqual([
      { name: "CUSTOM_CLI_FAST" },
    ]);
    expect(await json(["trait", "list", "--name", "startswith:CUSTOM_CLI", "--associated"])).toEqual([{ name: "CUSTOM_CLI_FAST" }]);

    const agg = "5e3a4f52-7cfb-4b7a-9d1a-3b0f7a0c2d11";
    // From 1.19 the provider generation is required.
    const noGen = await os(["resource", "provider", "aggregate", "set", parent.uuid, "--aggregate", agg], cloud.env);
    expect(noGen.stderr).toContain("A generation must be specified.");
    expect(await json(["resource", "provider", "aggregate", "set", parent.uuid, "--aggregate", agg, "--generation", "0"])).toEqual([
      { uuid: agg },
    ]);
    expect(await json(["resource", "provider", "aggregate", "list", parent.uuid])).toEqual([{ uuid: agg }]);

    // Granular group 1 on the child, with a required trait; the tree is in the summary from 1.29.
    const cands = await json([
      "allocation",
      "candidate",
      "list",
      "--group",
      "1",
      "--resource",
      "VCPU=2",
      "--required",
      "CUSTOM_CLI_FAST",
      "--group-policy",
      "isolate",
    ]);
    expect(cands).toEqual([
      { "#": 1, allocation: "VCPU=2", "resource provider": child.uuid, "inventory used/capacity": "VCPU=0/32", traits: "CUSTOM_CLI_FAST" },
    ]);
    expect(await json(["allocation", "candidate", "list", "--resource", "VCPU=5"])).toEqual([]); // max_unit 4

    const consumer = "9f1c1d0e-2b3a-4c5d-8e6f-7a8b9c0d1e2f";
    const set = await json([
      "resource",
      "provider",
      "allocation",
      "set",
      consumer,
      "--allocation",
      `rp=${child.uuid},VCPU=3`,
      "--project-id",
      "proj",
      "--user-id",
      "usr",
    ]);
    expect(set).toEqual([{ resource_provider: child.uuid, generation: 4, resources: { VCPU: 3 }, project_id: "proj", user_id: "usr" }]);
    expect(await json(["resource", "usage", "show", "proj", "--user-id", "usr"])).toEqual([{ resource_class: "VCPU", usage: 3 }]);
    const stillUsed = await os(["resource", "provider", "inventory", "delete", child.uuid, "--resource-class", "VCPU"], cloud.env);
    expect(stillUsed.code).toBe(1);
    expect(stillUsed.stderr).toMatch(/in use.*\(HTTP 409\)/);
    expect(await json(["resource", "provider", "allocation", "unset", consumer, "--resource-class", "VCPU"])).toEqual([]);
    expect(await json(["resource", "provider", "usage", "show", child.uuid])).toEqual([{ resource_class: "VCPU", usage: 0 }]);

    await ok(["resource", "provider", "inventory", "delete", child.uuid]);
    expect(await json(["resource", "provider", "inventory", "list", child.uuid])).toEqual([]);
    await ok(["resource", "provider", "trait", "delete", child.uuid]);
    expect(await json(["resource", "provider", "trait", "list", child.uuid])).toEqual([]);
    await ok(["trait", "delete", "CUSTOM_CLI_FAST"]);
    expect(await json(["resource", "provider", "set", child.uuid, "--name", "cli-numa-0"])).toMatchObject({ name: "cli-numa-0" });
    await ok(["resource", "provider", "delete", child.uuid]);
    const gone = await os(["resource", "provider", "show", child.uuid], cloud.env);
    expect(gone.code).toBe(1);
    expect(gone.stderr).toContain(`No resource provider with uuid ${child.uuid} found (HTTP 404)`);
  }, 180_000);

  it("resource classes, microversion checks and negotiation", async () => {
    await ok(["resource", "class", "create", "CUSTOM_CLI_GPU"]);
    await ok(["resource", "class", "set", "CUSTOM_CLI_GPU"]);
    expect(await json(["resource", "class", "show", "CUSTOM_CLI_GPU"])).toEqual({ name: "CUSTOM_CLI_GPU" });
    await ok(["resource", "class", "delete", "CUSTOM_CLI_GPU"]);
    const standard = await os(["resource", "class", "delete", "VCPU"], cloud.env);
    expect(standard.stderr).toMatch(/Cannot delete standard resource class VCPU.*\(HTTP 400\)/);

    const old = await os(["trait", "list", "--os-placement-api-version", "1.5"], cloud.env);
    expect(old.code).toBe(1);
    expect(old.stderr).toContain("Operation or argument is not supported with version 1.5; requires at least version 1.6");
    const listed = parseTable(await ok(["resource", "provider", "list", "--os-placement-api-version", "1.0"]));
    expect(listed.header).toEqual(["uuid", "name", "generation"]);
    const bogus = await os(["resource", "provider", "list", "--os-placement-api-version", "1.31"], cloud.env);
    expect(bogus.stderr).toContain("Invalid placement client version '1.31'");

    // What osc-placement's negotiation reads when the server is older than the client: the maximum.
    const res = await fetch(`${cloud.placementUrl}/`, { headers: { "openstack-api-version": "placement 1.99" } });
    expect(res.status).toBe(406);
    expect((await res.json()).errors[0]).toMatchObject({ max_version: "1.39", min_version: "1.0" });
  }, 120_000);
});
