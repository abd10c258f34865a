import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Cloud, startCloud, waitComputesUp } from "./helpers.js";

const USER = "alice:proj1";
const OTHER = "bob:proj2";

let cloud: Cloud;

beforeAll(async () => {
  cloud = await startCloud({ computes: ["compute1"] });
  await waitComputesUp(cloud, 1);
}, 90_000);

afterAll(async () => {
  await cloud?.close();
});

const boot = (name: string, extra: Record<string, unknown> = {}, token = USER) =>
  cloud.req(token, "POST", "/servers", { server: { name, imageRef: cloud.imageId, flavorRef: "1", networks: "none", ...extra } }, "2.79");

describe("nova control plane over real processes", () => {
  it("lists the control-plane services up next to the compute", async () => {
    const r = await cloud.req("admin:admin", "GET", "/os-services");
    expect(r.status).toBe(200);
    const byBinary = Object.fromEntries(r.body.services.map((s: any) => [s.binary, s]));
    expect(byBinary["nova-scheduler"]).toMatchObject({ host: "controller", state: "up", status: "enabled", zone: "internal" });
    expect(byBinary["nova-conductor"]).toMatchObject({ host: "controller", state: "up", zone: "internal" });
    expect(byBinary["nova-compute"]).toMatchObject({ host: "compute1", state: "up", zone: "nova" });
  });

  it("answers microversion headers and refuses unsupported versions with 406", async () => {
    const r = await cloud.req(USER, "GET", "/flavors", undefined, "2.60");
    expect(r.status).toBe(200);
    expect(r.headers.get("openstack-api-version")).toBe("compute 2.60");
    expect(r.headers.get("x-openstack-nova-api-version")).toBe("2.60");
    expect(r.headers.get("vary")).toContain("OpenStack-API-Version");
    expect(r.body.flavors.map((f: any) => f.name)).toEqual(
      expect.arrayContaining(["m1.tiny", "m1.small", "m1.medium", "m1.large", "m1.xlarge", "cirros256"]),
    );
    const bad = await cloud.req(USER, "GET", "/flavors", undefined, "2.100");
    expect(bad.status).toBe(406);
    expect(bad.body.computeFault.message).toContain("Version 2.100 is not supported by the API");
  });

  it("builds a server to ACTIVE, stops, starts, reboots and deletes it, recording the actions", async () => {
    const created = await boot("vm1");
    expect(created.status).toBe(202);
    const id = created.body.server.id;
    expect(created.body.server.adminPass).toBeTruthy();
    const active = await cloud.waitFor(USER, id, (s) => s.status === "ACTIVE");
    expect(active["OS-EXT-STS:power_state"]).toBe(1);
    expect(active["OS-EXT-STS:vm_state"]).toBe("active");
    expect(active["OS-EXT-STS:task_state"]).toBeNull();
    expect(active.flavor).toMatchObject({ vcpus: 1, ram: 512, disk: 1, original_name: "m1.tiny" });
    expect(active["OS-EXT-AZ:availability_zone"]).toBe("nova");

    // Placement holds the instance's allocation on compute1's provider.
    const alloc = await fetch(`${cloud.placement}/allocations/${id}`, { headers: { "x-auth-token": "admin:admin" } }).then((r) => r.json());
    const resources = Object.values(alloc.allocations as Record<string, { resources: Record<string, number> }>)[0]?.resources;
    expect(resources).toMatchObject({ VCPU: 1, MEMORY_MB: 512, DISK_GB: 1 });

    expect((await cloud.req(USER, "POST", `/servers/${id}/action`, { "os-stop": null })).status).toBe(202);
    const off = await cloud.waitFor(USER, id, (s) => s.status === "SHUTOFF" && s["OS-EXT-STS:task_state"] === null);
    expect(off["OS-EXT-STS:power_state"]).toBe(4);
    const again = await cloud.req(USER, "POST", `/servers/${id}/action`, { "os-stop": null });
    expect(again.status).toBe(409);
    expect(again.body.conflictingRequest.message).toContain("while it is in vm_state stopped");

    expect((await cloud.req(USER, "POST", `/servers/${id}/action`, { "os-start": null })).status).toBe(202);
    await cloud.waitFor(USER, id, (s) => s.status === "ACTIVE" && s["OS-EXT-STS:task_state"] === null);
    expect((await cloud.req(USER, "POST", `/servers/${id}/action`, { reboot: { type: "HARD" } })).status).toBe(202);
    await cloud.waitFor(USER, id, (s) => s.status === "ACTIVE" && s["OS-EXT-STS:task_state"] === null);

    const actions = await cloud.req(USER, "GET", `/servers/${id}/os-instance-actions`, undefined, "2.79");
    expect(actions.body.instanceActions.map((a: any) => a.action)).toEqual(expect.arrayContaining(["create", "stop", "start", "reboot"]));

    expect((await cloud.req(USER, "DELETE", `/servers/${id}`)).status).toBe(204);
    await cloud.waitFor(USER, id, (s) => s.status === "HTTP 404");
    const gone = await fetch(`${cloud.placement}/allocations/${id}`, { headers: { "x-auth-token": "admin:admin" } }).then((r) => r.json());
    expect(gone.allocations).toEqual({});
  }, 60_000);

  it("puts an unschedulable server in cell0 in ERROR with Nova's fault", async () => {
    const big = await cloud.req("admin:admin", "POST", "/flavors", { flavor: { name: "huge", id: "huge", ram: 40000, vcpus: 1, disk: 1 } });
    expect(big.status).toBe(200);
    const r = await boot("toobig", { flavorRef: "huge" });
    expect(r.status).toBe(202);
    const s = await cloud.waitFor(USER, r.body.server.id, (x) => x.status === "ERROR");
    expect(s.fault.code).toBe(500);
    expect(s.fault.message).toMatch(/^No valid host was found\. /);
    expect(s["OS-EXT-STS:vm_state"]).toBe("error");
    const admin = await cloud.req("admin:admin", "GET", `/servers/${r.body.server.id}`);
    expect(admin.body.server["OS-EXT-SRV-ATTR:host"]).toBeNull();
    expect((await cloud.req(USER, "DELETE", `/servers/${r.body.server.id}`)).status).toBe(204);
    await cloud.waitFor(USER, r.body.server.id, (x) => x.status === "HTTP 404");
  }, 30_000);

  it("refuses a create over quota with 403", async () => {
    const set = await cloud.req("admin:admin", "PUT", "/os-quota-sets/proj3", { quota_set: { instances: 1 } });
    expect(set.status).toBe(200);
    expect(set.body.quota_set.instances).toBe(1);
    const first = await boot("q1", {}, "carol:proj3");
    expect(first.status).toBe(202);
    const second = await boot("q2", {}, "carol:proj3");
    expect(second.status).toBe(403);
    expect(second.body.forbidden.message).toMatch(/^Quota exceeded for instances: Requested 1, but already used 1 of 1 instances/);
    await cloud.req("carol:proj3", "DELETE", `/servers/${first.body.server.id}`);
  });

  it("validates the body against Nova's schema (400 with the field named)", async () => {
    const missing = await cloud.req(USER, "POST", "/servers", { server: { name: "x", imageRef: cloud.imageId, networks: "none" } }, "2.79");
    expect(missing.status).toBe(400);
    expect(missing.body.badRequest.message).toContain("'flavorRef' is a required property");
    const extra = await cloud.req(
      USER,
      "POST",
      "/servers",
      { server: { name: "x", flavorRef: "1", imageRef: cloud.imageId, networks: "none", bogus: 1 } },
      "2.79",
    );
    expect(extra.status).toBe(400);
    expect(extra.body.badRequest.message).toContain("Additional properties are not allowed ('bogus' was unexpected)");
    const badName = await cloud.req(
      USER,
      "POST",
      "/servers",
      { server: { name: " x", flavorRef: "1", imageRef: cloud.imageId, networks: "none" } },
      "2.79",
    );
    expect(badName.status).toBe(400);
    expect(badName.body.badRequest.message).toContain("Invalid input for field/attribute name");
    const noNet = await cloud.req(USER, "POST", "/servers", { server: { name: "x", flavorRef: "1", imageRef: cloud.imageId } }, "2.79");
    expect(noNet.status).toBe(400);
    expect(noNet.body.badRequest.message).toContain("'networks' is a required property");
    const badFlavor = await boot("x", { flavorRef: "nope" });
    expect(badFlavor.status).toBe(400);
    expect(badFlavor.body.badRequest.message).toBe("Flavor nope could not be found.");
  });

  it("hides another project's server (404) and lists only one's own", async () => {
    const r = await boot("mine");
    const id = r.body.server.id;
    const other = await cloud.req(OTHER, "GET", `/servers/${id}`);
    expect(other.status).toBe(404);
    expect(other.body.itemNotFound.message).toBe(`Instance ${id} could not be found.`);
    expect((await cloud.req(OTHER, "DELETE", `/servers/${id}`)).status).toBe(404);
    const list = await cloud.req(OTHER, "GET", "/servers");
    expect(list.body.servers.map((s: any) => s.id)).not.toContain(id);
    const mine = await cloud.req(USER, "GET", "/servers/detail?limit=1");
    expect(mine.body.servers).toHaveLength(1);
    await cloud.waitFor(USER, id, (s) => s.status === "ACTIVE");
    await cloud.req(USER, "DELETE", `/servers/${id}`);
  }, 30_000);

  it("creates and imports key pairs with Nova's fingerprint", async () => {
    const made = await cloud.req(USER, "POST", "/os-keypairs", { keypair: { name: "k1" } }, "2.2");
    expect(made.status).toBe(201);
    expect(made.body.keypair.public_key).toMatch(/^ssh-rsa AAAA/);
    expect(made.body.keypair.private_key).toContain("PRIVATE KEY");
    expect(made.body.keypair.fingerprint).toMatch(/^([0-9a-f]{2}:){15}[0-9a-f]{2}$/);
    const imported = await cloud.req(
      USER,
      "POST",
      "/os-keypairs",
      { keypair: { name: "k2", public_key: made.body.keypair.public_key } },
      "2.2",
    );
    expect(imported.body.keypair.fingerprint).toBe(made.body.keypair.fingerprint);
    const bad = await cloud.req(USER, "POST", "/os-keypairs", { keypair: { name: "k3", public_key: "ssh-rsa nonsense" } }, "2.2");
    expect(bad.status).toBe(400);
  });
});
