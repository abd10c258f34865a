import type { SpanRecord } from "../../engine/common/trace/span.js";

/**
 * Explain mode: one line, in our own words, for the spans a learner meets when following a request
 * through the cloud. Matched on the method part of the span name (after the last '.') so both sides of
 * an RPC (`conductor.schedule_and_build_instances` and `ComputeTaskManager.schedule_and_build_instances`)
 * get the same line, and on method + path for HTTP spans.
 */
const BY_NAME: Record<string, string> = {
  "ServersController.create":
    "nova-api's handler for POST /servers: validates the request body against the microversion's schema, then hands it to the compute API.",
  "compute_api.create":
    "The compute API checks quotas, the flavor and the image, records the build, then asks the conductor to get the server scheduled and built.",
  _provision_instances:
    "Writes the request spec, a build request and an instance mapping into the API database, so the server is listed (BUILD) before any host is chosen.",
  schedule_and_build_instances:
    "The super conductor's job: ask the scheduler for hosts, create the instance in the chosen cell's database, then cast to that host's compute.",
  _schedule_instances: "The conductor's call to the scheduler, which blocks until hosts are chosen (or NoValidHost).",
  select_destinations:
    "The scheduler asks Placement for hosts with enough free resources, runs its filters and weighers on them, and claims resources on the winner.",
  filter_hosts:
    "Each enabled scheduler filter drops the hosts that cannot take this server; the attributes show how many hosts each filter kept.",
  weigh_hosts: "The weighers score the hosts that passed the filters (free RAM, CPU, …); the highest total wins.",
  claim_resources:
    "Writes the allocation for the chosen host into Placement, so two concurrent builds cannot both take the last free resources.",
  build_and_run_instance:
    "An RPC cast to one compute host's topic (compute.<host>): fire-and-forget, the conductor does not wait for the build.",
  _do_build_and_run_instance:
    "The compute manager's build entry point: it catches build failures and decides whether to reschedule to another host.",
  _build_and_run_instance: "Prepares the resources, asks the virt driver to spawn the guest, and marks the instance ACTIVE when it runs.",
  _build_resources: "Gets what the guest needs before it boots: networks and block devices; undone if the spawn fails.",
  _prep_block_device: "Turns the block device mappings (image-backed root disk here) into the disks the driver will attach.",
  spawn: "The virt driver (QEMU here) creates the guest: disk image first, then the domain, then starts it.",
  _create_image: "Fetches the image from Glance into the compute host's image cache (if not cached) and makes the instance's disk from it.",
  _create_domain_and_network: "Defines the guest (its QEMU command line) with its network plugged, then starts it.",
  "Guest.create": "Builds the QEMU process description for this guest: machine type, memory, vCPUs, disks, QMP socket, console.",
  launch: "Starts QEMU and waits on its QMP socket until the guest is running.",
  object_action:
    "nova-compute has no database access: to save an instance it sends the object to the conductor over RPC, and the conductor writes it.",
  validate_token: "Keystone decrypts the token, checks it has not expired or been revoked, and rebuilds its roles and catalog.",
  issue_token: "Keystone makes a new token (Fernet: encrypted and signed with the primary key) for the scope asked for.",
  authenticate: "Keystone checks the user's password against the stored hash.",
  "ImagesController.show": "Glance reads the image record and returns its metadata (status, disk format, size, checksum).",
  "ImageDataController.download": "Glance streams the image bits from its store to the caller.",
  "ImageDataController.upload": "Glance receives the image bits and writes them to its store, then marks the image active.",
  "glance_store.add": "Writes the uploaded data into the configured store (a directory here) while counting and hashing it.",
  "RequestSpec.create": "Saves what the scheduler needs to know about the request (flavor, image, hints) in the API database.",
  "BuildRequest.create": "A placeholder for the server in the API database until a cell has the real instance record.",
  "BuildRequest.destroy": "The real instance now exists in its cell, so the placeholder build request is removed.",
  "InstanceMapping.create": "Records which cell holds the instance, so later requests find the right cell database.",
  "Instance.create": "The conductor creates the instance record in the chosen cell's database (compute hosts never write it themselves).",
};

const BY_ROUTE: Array<[RegExp, string]> = [
  [
    /^POST \S*\/v3\/auth\/tokens$/,
    "Keystone token issue: the user authenticates (password, application credential, …) and gets a scoped token.",
  ],
  [
    /^(GET|HEAD) \S*\/v3\/auth\/tokens$/,
    "Keystone token validate: a service's auth middleware checks the token it was given and learns the user, project and roles.",
  ],
  [
    /^GET \S*allocation_candidates$/,
    "Placement lists resource provider combinations that can satisfy the request (and their current usage).",
  ],
  [/^PUT \S*\/allocations\/[^/]+$/, "Placement records the server's resource usage against the chosen provider (a claim)."],
  [/^POST \S*\/servers$/, "Create a server: nova-api accepts the request, answers 202 at once, and the build goes on asynchronously."],
  [/^GET \S*\/images\/[^/]+\/file$/, "Download an image's data from Glance."],
  [/^PUT \S*\/images\/[^/]+\/file$/, "Upload an image's data to Glance."],
  [/^GET \S*\/images\/[^/]+$/, "Read one image's metadata from Glance (nova checks the image before building)."],
];

/** The one-line explanation of a span, or undefined for spans nobody wrote one for. */
export function explain(span: Pick<SpanRecord, "name" | "attributes">): string | undefined {
  const direct = BY_NAME[span.name];
  if (direct) return direct;
  for (const [re, text] of BY_ROUTE) if (re.test(span.name)) return text;
  const rule = span.attributes?.["policy.rule"];
  if (typeof rule === "string") {
    const allowed = span.attributes["policy.allowed"];
    return `Policy check: the rule ${rule} is evaluated against the token's roles and scope; it was ${allowed === false ? "DENIED" : "allowed"}.`;
  }
  const method = span.name.slice(span.name.lastIndexOf(".") + 1).split(" ")[0] ?? "";
  return BY_NAME[method];
}

/** The names explain mode knows (for docs and tests). */
export const EXPLAINED_NAMES = Object.keys(BY_NAME);
