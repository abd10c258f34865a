import { Flags } from "@oclif/core";
import {
  IMAGE_STRING_FOR_BFV,
  type Resource,
  dictColumn,
  dictListColumn,
  listColumn,
  powerStateColumn,
  serverNetworks,
} from "../../client/compute.js";
import { ComputeCommand, needVersion } from "../../cli/compute-command.js";

const POWER = { pending: 0, running: 1, paused: 3, shutdown: 4, crashed: 6, suspended: 7 } as const;

/** Extra columns `-c` may name (the openstack client adds them on demand): header → server field. */
const ON_DEMAND: Array<[string[], string, (s: Resource) => unknown]> = [
  [["Project ID", "project_id"], "Project ID", (s) => s.tenant_id],
  [["User ID", "user_id"], "User ID", (s) => s.user_id],
  [["Created At", "created_at"], "Created At", (s) => s.created],
  [
    ["Security Groups", "security_groups"],
    "Security Groups",
    (s) => listColumn(((s.security_groups ?? []) as Resource[]).map((g) => g.name)),
  ],
  [["Task State", "task_state"], "Task State", (s) => s["OS-EXT-STS:task_state"]],
  [["Power State", "power_state"], "Power State", (s) => powerStateColumn(s["OS-EXT-STS:power_state"])],
  [["Image ID", "image_id"], "Image ID", (s) => (s.image && typeof s.image === "object" ? s.image.id : IMAGE_STRING_FOR_BFV)],
  [["Flavor ID", "flavor_id"], "Flavor ID", (s) => s.flavor?.id ?? ""],
  [["Availability Zone", "availability_zone"], "Availability Zone", (s) => s["OS-EXT-AZ:availability_zone"]],
  [["Host", "host"], "Host", (s) => s["OS-EXT-SRV-ATTR:host"]],
  [["Properties", "properties"], "Properties", (s) => dictColumn(s.metadata ?? {})],
];

export default class ServerList extends ComputeCommand<typeof ServerList> {
  static override summary = "List servers";
  static override examples = ["<%= config.bin %> server list", "<%= config.bin %> server list --long --status ACTIVE"];
  static override flags = {
    "reservation-id": Flags.string({ summary: "Only return instances that match the reservation" }),
    ip: Flags.string({ summary: "Regular expression to match IP addresses" }),
    ip6: Flags.string({ summary: "Regular expression to match IPv6 addresses." }),
    name: Flags.string({ summary: "Regular expression to match names" }),
    "instance-name": Flags.string({ summary: "Regular expression to match instance name (admin only)" }),
    status: Flags.string({ summary: "Search by server status" }),
    flavor: Flags.string({ summary: "Search by flavor (name or ID)" }),
    image: Flags.string({ summary: "Search by image (name or ID)" }),
    host: Flags.string({ summary: "Search by hostname" }),
    "all-projects": Flags.boolean({
      env: "ALL_PROJECTS",
      summary: "Include all projects (admin only) (can be specified using the ALL_PROJECTS envvar)",
    }),
    project: Flags.string({ summary: "Search by project (admin only) (name or ID)" }),
    user: Flags.string({ summary: "Search by user (name or ID)" }),
    deleted: Flags.boolean({ summary: "Only display deleted servers (admin only)" }),
    "availability-zone": Flags.string({ summary: "Search by availability zone (admin only before microversion 2.83)" }),
    "key-name": Flags.string({ summary: "Search by keypair name (admin only before microversion 2.83)" }),
    "vm-state": Flags.string({ summary: "Search by vm_state value (admin only before microversion 2.83)" }),
    "task-state": Flags.string({ summary: "Search by task_state value (admin only before microversion 2.83)" }),
    "power-state": Flags.option({
      options: Object.keys(POWER) as Array<keyof typeof POWER>,
      summary: "Search by power_state value (admin only before microversion 2.83)",
    })(),
    long: Flags.boolean({ summary: "List additional fields in output" }),
    "no-name-lookup": Flags.boolean({ char: "n", summary: "Skip flavor and image name lookup.", exclusive: ["name-lookup-one-by-one"] }),
    "name-lookup-one-by-one": Flags.boolean({
      summary: "When looking up flavor and image names, look them up one by one as needed instead of all together",
    }),
    marker: Flags.string({
      summary:
        "The last server of the previous page. Display list of servers after marker. Display all servers if not specified. When used with ``--deleted``, the marker must be an ID, otherwise a name or ID can be used.",
    }),
    limit: Flags.integer({ summary: "Maximum number of servers to display." }),
    "changes-since": Flags.string({ summary: "List only servers changed later or equal to a certain point of time (ISO 8601)." }),
    "changes-before": Flags.string({ summary: "List only servers changed earlier or equal to a certain point of time (ISO 8601, 2.66+)." }),
    tag: Flags.string({ multiple: true, multipleNonGreedy: true, summary: "Only list servers with the specified tag (2.26+)" }),
    "not-tag": Flags.string({ multiple: true, multipleNonGreedy: true, summary: "Only list servers without the specified tag (2.26+)" }),
    locked: Flags.boolean({ summary: "Only display locked servers (2.73+)", exclusive: ["unlocked"] }),
    unlocked: Flags.boolean({ summary: "Only display unlocked servers (2.73+)" }),
  };

  async run(): Promise<void> {
    const f = this.flags;
    const compute = this.compute();
    let projectId: string | undefined;
    let all = f["all-projects"];
    if (f.project) {
      projectId = (await this.identity().find("projects", f.project)).id;
      all = true;
    }
    const userId = f.user ? (await this.identity().find("users", f.user)).id : undefined;
    const flavorId = f.flavor ? String((await compute.findFlavor(f.flavor)).id) : undefined;
    const imageId = f.image ? String((await compute.findImage(f.image)).id) : undefined;
    if ((f.tag?.length || f["not-tag"]?.length) && !compute.atLeast("2.26"))
      throw needVersion("2.26", f.tag?.length ? "--tag option" : "--not-tag option");
    if ((f.locked || f.unlocked) && !compute.atLeast("2.73")) throw needVersion("2.73", f.locked ? "--locked option" : "--unlocked option");
    if (f["changes-before"] && !compute.atLeast("2.66")) throw new Error("--os-compute-api-version 2.66 or later is required");
    for (const [flag, v] of [
      ["changes-before", f["changes-before"]],
      ["changes-since", f["changes-since"]],
    ] as const)
      if (v && Number.isNaN(Date.parse(v))) throw new Error(`Invalid ${flag} value: ${v}`);

    const query: Record<string, string | undefined> = {
      reservation_id: f["reservation-id"],
      ip: f.ip,
      ip6: f.ip6,
      name: f.name,
      instance_name: f["instance-name"],
      status: f.status,
      flavor: flavorId,
      image: imageId,
      host: f.host,
      tenant_id: projectId,
      all_tenants: all ? "True" : undefined,
      user_id: userId,
      deleted: f.deleted ? "True" : undefined,
      "changes-before": f["changes-before"],
      "changes-since": f["changes-since"],
      availability_zone: f["availability-zone"],
      key_name: f["key-name"],
      vm_state: f["vm-state"],
      task_state: f["task-state"],
      power_state: f["power-state"] !== undefined ? String(POWER[f["power-state"]]) : undefined,
      tags: f.tag?.join(","),
      "not-tags": f["not-tag"]?.join(","),
      locked: f.locked ? "True" : f.unlocked ? "False" : undefined,
    };
    const marker = f.marker ? (f.deleted ? f.marker : String((await compute.findServer(f.marker)).id)) : undefined;
    const servers = await compute.listServers({ ...query, marker }, f.limit);

    // Name lookups: every image and flavor at once (or one by one), as the openstack client does.
    const images = new Map<string, string>();
    const flavors = new Map<string, string>();
    if (servers.length && !f["no-name-lookup"]) {
      const oneByOne = f["name-lookup-one-by-one"] || imageId !== undefined;
      try {
        if (oneByOne) {
          for (const id of new Set(servers.map((s) => s.image?.id).filter(Boolean)))
            images.set(id, String((await compute.getImage(id).catch(() => ({ name: undefined }))).name ?? ""));
        } else for (const i of await compute.listImages()) images.set(String(i.id), String(i.name ?? ""));
      } catch {
        // names are a convenience: the IDs still show
      }
      if (!compute.atLeast("2.47"))
        try {
          if (f["name-lookup-one-by-one"] || flavorId !== undefined) {
            for (const id of new Set(servers.map((s) => s.flavor?.id).filter(Boolean)))
              flavors.set(id, String((await compute.findFlavor(id).catch(() => ({ name: undefined }))).name ?? ""));
          } else for (const fl of await compute.listFlavors()) flavors.set(String(fl.id), String(fl.name ?? ""));
        } catch {
          // as above
        }
    }
    const noLookup = f["no-name-lookup"];
    const imageIdOf = (s: Resource) => (s.image && typeof s.image === "object" && s.image.id ? String(s.image.id) : undefined);
    const imageName = (s: Resource) => {
      const id = imageIdOf(s);
      return id === undefined ? IMAGE_STRING_FOR_BFV : (images.get(id) ?? "");
    };
    const flavorName = (s: Resource) =>
      compute.atLeast("2.47") ? (s.flavor?.original_name ?? "") : (flavors.get(String(s.flavor?.id)) ?? "");

    const cols: Array<[string, (s: Resource) => unknown]> = [
      ["ID", (s) => s.id],
      ["Name", (s) => s.name],
      ["Status", (s) => s.status],
    ];
    if (f.long)
      cols.push(["Task State", (s) => s["OS-EXT-STS:task_state"]], ["Power State", (s) => powerStateColumn(s["OS-EXT-STS:power_state"])]);
    cols.push(["Networks", (s) => dictListColumn(serverNetworks(s))]);
    if (f.long) cols.push(["Image Name", imageName], ["Image ID", (s) => imageIdOf(s) ?? IMAGE_STRING_FOR_BFV]);
    else cols.push(["Image", noLookup ? (s) => imageIdOf(s) ?? IMAGE_STRING_FOR_BFV : imageName]);
    if (compute.atLeast("2.47")) cols.push(["Flavor", flavorName]);
    else if (f.long) cols.push(["Flavor Name", flavorName], ["Flavor ID", (s) => s.flavor?.id ?? ""]);
    else cols.push(["Flavor", noLookup ? (s) => s.flavor?.id ?? "" : flavorName]);
    if (f.long)
      cols.push(
        ["Availability Zone", (s) => s["OS-EXT-AZ:availability_zone"]],
        ["Host", (s) => s["OS-EXT-SRV-ATTR:host"]],
        ["Properties", (s) => dictColumn(s.metadata ?? {})],
      );
    for (const c of f.column ?? []) {
      const extra = ON_DEMAND.find(([names]) => names.includes(c));
      if (extra && !cols.some(([h]) => h === extra[1])) cols.push([extra[1], extra[2]]);
    }
    if (f.long && compute.atLeast("2.16") && servers.some((s) => "host_status" in s))
      cols.push(["Host Status", (s) => s.host_status ?? ""]);
    if (f.column) this.flags.column = f.column.map((c) => ON_DEMAND.find(([names]) => names.includes(c))?.[1] ?? c);
    await this.printList(
      cols.map(([h]) => h),
      servers.map((s) => Object.fromEntries(cols.map(([h, get]) => [h, get(s)]))),
    );
  }
}
