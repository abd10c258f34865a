import { describe, expect, it } from "vitest";
import {
  type ComputeApi,
  Formatted,
  formatDict,
  formatDictOfList,
  formatList,
  formatListOfDicts,
  powerStateName,
  prepServerDetail,
  sdkFlavorView,
  sdkServerGroupView,
  versionAtLeast,
} from "../../src/client/compute.js";
import { cliffTable } from "../../src/cli/compute-command.js";

// A server as nova-api answers GET /servers/{id} at microversion 2.1 (recorded from pocketstack).
const SERVER = {
  id: "9ce3095a-0188-4594-a3fa-0792309b9993",
  name: "vm9",
  status: "ACTIVE",
  tenant_id: "02b3da0576434d728e142410abcbc15d",
  user_id: "0e214453e6244666b7a30d5db42eec84",
  metadata: { role: "web", tier: "1" },
  hostId: "c0dd9ac255dd10829c51129050baa143b293b83c469de58eb7eb3609",
  image: { id: "bc42ba1a-8eb0-4864-aced-7c00100dec23", links: [] },
  flavor: { id: "1", links: [] },
  created: "2026-11-29T17:41:13Z",
  updated: "2026-11-29T17:41:13Z",
  addresses: {
    private: [
      { addr: "10.0.0.5", version: 4 },
      { addr: "fd00::5", version: 6 },
    ],
    public: [{ addr: "172.24.4.9", version: 4 }],
  },
  accessIPv4: "",
  accessIPv6: "",
  links: [{ rel: "self", href: "http://x/v2.1/servers/9ce3" }],
  "OS-DCF:diskConfig": "MANUAL",
  "OS-EXT-AZ:availability_zone": "nova",
  config_drive: "",
  key_name: null,
  "OS-SRV-USG:launched_at": "2026-11-29T17:41:13.000000",
  "OS-SRV-USG:terminated_at": null,
  "OS-EXT-STS:task_state": null,
  "OS-EXT-STS:vm_state": "active",
  "OS-EXT-STS:power_state": 1,
  "os-extended-volumes:volumes_attached": [],
  security_groups: [{ name: "default" }],
  "OS-EXT-SRV-ATTR:host": "compute1",
  "OS-EXT-SRV-ATTR:hypervisor_hostname": "compute1",
  "OS-EXT-SRV-ATTR:instance_name": "instance-00000003",
};

/** Only what prepServerDetail asks of the API: the image (Glance) and the flavor. */
function fakeCompute(opts: { imageMissing?: boolean } = {}): ComputeApi {
  return {
    getImage: async (id: string) => {
      if (opts.imageMissing) throw new Error("404");
      return { id, name: "cirros" };
    },
    findFlavor: async (id: string) => ({ id, name: "m1.tiny" }),
  } as unknown as ComputeApi;
}

const human = (o: Record<string, unknown>) =>
  Object.fromEntries(Object.entries(o).map(([k, v]) => [k, v instanceof Formatted ? v.human : v]));
const machine = (o: Record<string, unknown>) =>
  Object.fromEntries(Object.entries(o).map(([k, v]) => [k, v instanceof Formatted ? v.machine : v]));

describe("osc-lib formatters", () => {
  it("format_dict sorts keys, quotes values, flattens nested dicts and shows None as empty", () => {
    expect(formatDict({ b: 2, a: "x", n: null, d: { z: 1, y: true } })).toBe("a='x', b='2', d.y='True', d.z='1', n=");
    expect(formatDict({})).toBe("");
  });
  it("format_list sorts; format_dict_of_list joins networks with ; ; format_list_of_dicts one per line", () => {
    expect(formatList(["web", "db"])).toBe("db, web");
    expect(formatDictOfList({ public: ["172.24.4.9"], private: ["10.0.0.5", "fd00::5"] })).toBe(
      "private=10.0.0.5, fd00::5; public=172.24.4.9",
    );
    expect(formatListOfDicts([{ name: "default" }, { name: "ssh", id: "1" }])).toBe("name='default'\nid='1', name='ssh'");
  });
  it("power states carry the openstack client's names", () => {
    expect([0, 1, 3, 4, 6, 7, 9].map(powerStateName)).toEqual(["NOSTATE", "Running", "Paused", "Shutdown", "Crashed", "Suspended", "N/A"]);
  });
  it("microversions compare numerically (2.10 > 2.9)", () => {
    expect(versionAtLeast("2.10", "2.9")).toBe(true);
    expect(versionAtLeast("2.9", "2.10")).toBe(false);
    expect(() => versionAtLeast("latest", "2.1")).toThrow(/Invalid compute API version 'latest'/);
  });
});

describe("server show/create detail (_prep_server_detail)", () => {
  it("names image and flavor, formats addresses/properties/security groups, renames tenant_id, drops links, sorts fields", async () => {
    const d = await prepServerDetail(fakeCompute(), SERVER);
    const h = human(d);
    expect(Object.keys(d)).toEqual([...Object.keys(d)].sort());
    expect(Object.keys(d)[0]).toBe("OS-DCF:diskConfig");
    expect(h.image).toBe("cirros (bc42ba1a-8eb0-4864-aced-7c00100dec23)");
    expect(h.flavor).toBe("m1.tiny (1)");
    expect(h.addresses).toBe("private=10.0.0.5, fd00::5; public=172.24.4.9");
    expect(h.properties).toBe("role='web', tier='1'");
    expect(h.security_groups).toBe("name='default'");
    expect(h.volumes_attached).toBe("");
    expect(h["OS-EXT-STS:power_state"]).toBe("Running");
    expect(h.project_id).toBe(SERVER.tenant_id);
    expect(d).not.toHaveProperty("tenant_id");
    expect(d).not.toHaveProperty("links");
    expect(d).not.toHaveProperty("metadata");
    expect(d).not.toHaveProperty("os-extended-volumes:volumes_attached");
    // JSON output keeps the data (cliff's machine_readable).
    const m = machine(d);
    expect(m.properties).toEqual({ role: "web", tier: "1" });
    expect(m["OS-EXT-STS:power_state"]).toBe(1);
    expect(m.addresses).toEqual({ private: ["10.0.0.5", "fd00::5"], public: ["172.24.4.9"] });
  });
  it("falls back to the bare image ID when Glance does not know it, and marks a volume-booted server", async () => {
    expect((await prepServerDetail(fakeCompute({ imageMissing: true }), SERVER)).image).toBe(SERVER.image.id);
    expect((await prepServerDetail(fakeCompute(), { ...SERVER, image: "" })).image).toBe("N/A (booted from volume)");
  });
  it("2.47+ embeds the flavor: shown as a dict", async () => {
    const flavor = { original_name: "m1.tiny", vcpus: 1, ram: 512, disk: 1, ephemeral: 0, swap: 0, extra_specs: {} };
    const d = human(await prepServerDetail(fakeCompute(), { ...SERVER, flavor }));
    // An empty nested dict leaves an empty item, exactly as osc-lib's format_dict does (", ,").
    expect(d.flavor).toBe("disk='1', ephemeral='0', , original_name='m1.tiny', ram='512', swap='0', vcpus='1'");
  });
});

describe("SDK views", () => {
  it("flavor show: the openstacksdk attribute names, sorted, rxtx_factor as a Python float, swap as the API says", () => {
    const v = sdkFlavorView(
      {
        id: "1",
        name: "m1.tiny",
        ram: 512,
        disk: 1,
        swap: "",
        vcpus: 1,
        rxtx_factor: 1,
        "OS-FLV-EXT-DATA:ephemeral": 0,
        "OS-FLV-DISABLED:disabled": false,
        "os-flavor-access:is_public": true,
        description: null,
      },
      { "hw:cpu_policy": "dedicated" },
      { ids: null },
    );
    expect(Object.keys(v)).toEqual([
      "OS-FLV-DISABLED:disabled",
      "OS-FLV-EXT-DATA:ephemeral",
      "access_project_ids",
      "description",
      "disk",
      "id",
      "name",
      "os-flavor-access:is_public",
      "properties",
      "ram",
      "rxtx_factor",
      "swap",
      "vcpus",
    ]);
    const h = human(v);
    expect(h.rxtx_factor).toBe("1.0");
    expect(h.properties).toBe("hw:cpu_policy='dedicated'");
    expect(h.swap).toBe("");
  });
  it("server group: policies before 2.64, policy + rules from 2.64", () => {
    const g = {
      id: "g1",
      name: "web",
      policies: ["anti-affinity"],
      policy: "anti-affinity",
      rules: { max_server_per_host: 2 },
      members: ["b", "a"],
      project_id: "p",
      user_id: "u",
    };
    expect(human(sdkServerGroupView(g, "2.1"))).toEqual({
      id: "g1",
      members: "a, b",
      name: "web",
      policies: "anti-affinity",
      project_id: "p",
      user_id: "u",
    });
    expect(human(sdkServerGroupView(g, "2.64"))).toEqual({
      id: "g1",
      members: "a, b",
      name: "web",
      policy: "anti-affinity",
      project_id: "p",
      rules: "max_server_per_host='2'",
      user_id: "u",
    });
  });
});

describe("cliff table", () => {
  it("right-aligns numeric columns, header included, like `openstack flavor list`", () => {
    const text = cliffTable(
      ["ID", "Name", "RAM"],
      [
        ["1", "m1.tiny", "512"],
        ["c1", "cirros256", "256"],
      ],
      [false, false, true],
    );
    expect(text.split("\n")).toEqual([
      "+----+-----------+-----+",
      "| ID | Name      | RAM |",
      "+----+-----------+-----+",
      "| 1  | m1.tiny   | 512 |",
      "| c1 | cirros256 | 256 |",
      "+----+-----------+-----+",
    ]);
    expect(cliffTable(["RAM"], [["16384"], ["512"]], [true]).split("\n")[1]).toBe("|   RAM |");
  });
});
