// Every option pocketstack knows, with its type, default and a line of help (like oslo.config's opts).
// fixtures/pocketstack.conf.sample is generated from this table (`os manage config sample`) and a
// test keeps the two in step.
import { SSL_OPTIONS, TOKENLESS_AUTH_OPTIONS } from "../tls/options.js";

export type OptionType = "string" | "int" | "float" | "bool" | "list";
export interface OptionSpec {
  type: OptionType;
  default: string | number | boolean | string[];
  help: string;
  choices?: readonly string[];
  min?: number;
}
export type Schema = Record<string, Record<string, OptionSpec>>;

const s = (d: string, help: string, choices?: readonly string[]): OptionSpec => ({ type: "string", default: d, help, choices });
const i = (d: number, help: string, min = 0): OptionSpec => ({ type: "int", default: d, help, min });
const f = (d: number, help: string): OptionSpec => ({ type: "float", default: d, help, min: 0 });
const b = (d: boolean, help: string): OptionSpec => ({ type: "bool", default: d, help });

export const SCHEMA: Schema = {
  DEFAULT: {
    host: s("controller", "Name of this node, as nova's `host` option (services register under it)."),
    my_ip: s("127.0.0.1", "Address the services bind to and advertise in the catalog."),
    transport_url: s("zmq://127.0.0.1:5679", "Message bus of cell1 (one ZeroMQ broker per cell)."),
    rpc_response_timeout: i(60, "Seconds an RPC call waits for its reply before MessagingTimeout.", 1),
    debug: b(false, "Log at debug level."),
    region_name: s("RegionOne", "Region registered in the catalog."),
    service_down_time: i(60, "Seconds without a heartbeat after which a nova service counts as down.", 1),
    default_availability_zone: s("nova", "Availability zone of compute hosts that are in no zone aggregate."),
    instances_path: s("", "Instance directories and the _base image cache (default: <state dir>/instances)."),
    shutdown_timeout: i(60, "Seconds a clean (ACPI) shutdown may take before the guest is stopped hard.", 0),
    force_config_drive: b(true, "Give every guest a config drive (the guest image reads its metadata from it)."),
  },
  database: {
    journal_mode: s("WAL", "SQLite journal mode for every service database.", ["WAL", "DELETE"]),
    synchronous: s("NORMAL", "SQLite synchronous pragma.", ["OFF", "NORMAL", "FULL"]),
    busy_timeout: i(5000, "Milliseconds a writer waits for a locked database.", 0),
  },
  api: {
    max_request_body_size: i(114688, "Largest request body (bytes) the sizelimit filter accepts.", 1),
    keystone_port: i(5000, "Port of the identity API."),
    glance_port: i(9292, "Port of the image API."),
    placement_port: i(8778, "Port of the placement API."),
    compute_port: i(8774, "Port of the compute API."),
    dhcp_domain: s("novalocal", "Domain of guest hostnames (metadata hostname = <name>.<dhcp_domain>)."),
    auth_strategy: s("keystone", "Pipeline flavour: keystone (authtoken) or noauth2.", ["keystone", "noauth2"]),
    max_limit: i(1000, "Most items one compute API list returns (nova's [api] max_limit).", 1),
  },
  keystone_authtoken: {
    www_authenticate_uri: s("", "URL put in WWW-Authenticate on 401 (defaults to the local Keystone)."),
    token_cache_time: i(300, "Seconds a validated token is cached by the authtoken filter."),
    service_user: s("pocketstack-service", "Service user that validates tokens."),
    auth_url: s("", "Identity v3 URL the filter validates tokens against (default: http://<my_ip>:<keystone_port>/v3)."),
    username: s("", "Service user name for validating tokens (default: service_user)."),
    password: s("", "Service user password; empty: use the local cloud's admin profile (<state dir>/clouds.yaml)."),
    project_name: s("service", "Project the service user's token is scoped to."),
    user_domain_name: s("Default", "Domain of the service user."),
    project_domain_name: s("Default", "Domain of that project."),
    cafile: s("", "CA bundle (PEM) the services trust when they call Keystone and each other (default with [ssl] enabled: the lab CA)."),
    certfile: s(
      "",
      "Client certificate (PEM) the services present to APIs that require one (default with [ssl] enabled: the lab's pocketstack-services certificate).",
    ),
    keyfile: s("", "Key of certfile."),
  },
  token: {
    provider: s("fernet", "Token format.", ["fernet", "jws"]),
    expiration: i(3600, "Token lifetime in seconds.", 1),
  },
  fernet_tokens: {
    max_active_keys: i(3, "Keys kept in the repository after rotation (staged + primary + secondaries).", 2),
  },
  identity: {
    password_hash_algorithm: s("bcrypt", "Password hash.", ["bcrypt", "scrypt", "pbkdf2_sha512"]),
    password_hash_rounds: i(0, "Cost of the hash; 0 picks the algorithm's default.", 0),
  },
  resource: {
    admin_project_name: s("admin", "Project whose tokens carry is_admin_project."),
    admin_project_domain_name: s("Default", "Domain of that project."),
  },
  glance: {
    image_size_cap: i(1099511627776, "Largest image (bytes) an upload, stage or import may store; above it: 413.", 1),
    filesystem_store_datadir: s("", "Directory of the file store (default: <state dir>/images)."),
    limit_param_default: i(25, "Images a list returns when the request gives no limit.", 1),
    api_limit_max: i(1000, "Largest page an image list returns, whatever limit asks.", 1),
    image_member_quota: i(128, "Members one image may have.", 0),
    image_tag_quota: i(128, "Tags one image may have.", 0),
    image_property_quota: i(128, "Additional properties one image may have.", 0),
    endpoint: s("", "Image API URL compute nodes download from (default: http://<my_ip>:<glance_port>)."),
  },
  libvirt: {
    hw_machine_type: s("q35", "QEMU machine type of guests.", ["q35", "pc"]),
    tcg_cache_mib: i(64, "TCG translation cache per guest (MiB); bounds QEMU's memory.", 8),
    boot_timeout: i(300, "Seconds a booting guest may hold its build slot waiting for `login:`.", 1),
    emulator: s("qemu-system-x86_64", "QEMU binary."),
  },
  image_cache: {
    remove_unused_original_minimum_age_seconds: i(86400, "Unused base images older than this are removed from a node's cache.", 0),
  },
  vnc: {
    enabled: b(true, "Offer VNC consoles."),
    novncproxy_port: i(6080, "Port of nova-novncproxy."),
    novncproxy_base_url: s(
      "",
      "Public URL of noVNC's page that console URLs point at (default: http://<my_ip>:<novncproxy_port>/vnc_lite.html).",
    ),
    server_listen: s("127.0.0.1", "Address guests' VNC servers bind to."),
  },
  scheduler: {
    max_attempts: i(3, "Hosts tried for one instance before it goes to ERROR.", 1),
    max_placement_results: i(1000, "Allocation candidates asked from Placement.", 1),
    discover_hosts_in_cells_interval: i(
      10,
      "Seconds between the scheduler's automatic cell_v2 discover_hosts runs; -1 turns it off (Nova's default).",
      -1,
    ),
  },
  filter_scheduler: {
    enabled_filters: {
      type: "list",
      default: [
        "ComputeFilter",
        "AvailabilityZoneFilter",
        "ImagePropertiesFilter",
        "ServerGroupAntiAffinityFilter",
        "ServerGroupAffinityFilter",
        "AggregateInstanceExtraSpecsFilter",
      ],
      help: "Host filters the scheduler runs, in order.",
    },
    weight_classes: {
      type: "list",
      default: ["RAMWeigher", "CPUWeigher", "DiskWeigher"],
      help: "Weighers that rank the hosts left after filtering.",
    },
    ram_weight_multiplier: { type: "float", default: 1.0, help: "Multiplier of the RAMWeigher (negative stacks instead of spreading)." },
    cpu_weight_multiplier: f(1.0, "Multiplier of the CPUWeigher."),
    disk_weight_multiplier: f(1.0, "Multiplier of the DiskWeigher."),
    host_subset_size: i(1, "Pick the host at random among this many best-weighed ones.", 1),
  },
  quota: {
    instances: i(10, "Servers per project (-1: unlimited).", -1),
    cores: i(20, "Instance cores (VCPUs) per project.", -1),
    ram: i(51200, "Megabytes of instance RAM per project.", -1),
    metadata_items: i(128, "Metadata items per server.", -1),
    injected_files: i(5, "Injected files per server.", -1),
    injected_file_content_bytes: i(10240, "Bytes per injected file.", -1),
    injected_file_path_bytes: i(255, "Length of an injected file's path.", -1),
    key_pairs: i(100, "Key pairs per user.", -1),
    server_groups: i(10, "Server groups per project.", -1),
    server_group_members: i(10, "Servers per server group.", -1),
  },
  placement: {
    region_name: s("RegionOne", "Region where nova finds placement."),
  },
  compute: {
    compute_driver: s("auto", "Hypervisor driver: qemu, fake, or auto (qemu where installed).", ["auto", "qemu", "fake"]),
    computes: i(2, "Compute nodes `os cloud up` starts (compute1..N) when etc/nodes.json does not list them.", 0),
    nodes_per_process: i(
      1,
      "Compute nodes one nova-compute worker process hosts (each its own service, RPC server and heartbeat); more than 1 saves memory at scale.",
      1,
    ),
    resource_provider_vcpus: i(8, "VCPUs each fake node reports.", 1),
    cpu_allocation_ratio: f(4.0, "Overcommit of VCPU."),
    ram_allocation_ratio: f(1.0, "Overcommit of MEMORY_MB."),
    disk_allocation_ratio: f(1.0, "Overcommit of DISK_GB."),
    resource_provider_memory_mb: i(16384, "MEMORY_MB each fake node reports.", 1),
    resource_provider_disk_gb: i(200, "DISK_GB each fake node reports.", 1),
    reserved_host_memory_mb: i(512, "MEMORY_MB of each node kept for the host (reserved in its inventory).", 0),
    fake_boot_time_ms: i(0, "Milliseconds a fake guest takes to boot (spawn, power on, reboot).", 0),
    max_concurrent_builds: i(2, "Builds one compute node runs at once; the rest wait their turn (2: TCG boots on 2 cores).", 1),
    report_interval: i(10, "Seconds between a compute service's heartbeats (service_update).", 1),
    update_resources_interval: i(60, "Seconds between update_available_resource runs (node + Placement inventory).", 1),
    sync_power_state_interval: i(30, "Seconds between power-state syncs of the node's instances with the hypervisor.", 1),
  },
  trace: {
    enabled: b(true, "Send spans to the collector."),
    collector_url: s("zmq://127.0.0.1:5678", "Where processes push their spans."),
    retention: i(5000, "Traces kept in the trace database.", 10),
    max_age: i(0, "Seconds a trace is kept; older ones are purged every minute (0: no age limit, only retention).", 0),
  },
  ssl: SSL_OPTIONS,
  tokenless_auth: TOKENLESS_AUTH_OPTIONS,
  supervisor: {
    stop_grace_period: i(5, "Seconds between SIGTERM and SIGKILL on `os cloud down`.", 0),
    restart_backoff_max: i(30, "Longest pause (s) before restarting a crashed service.", 1),
    start_timeout: i(60, "Seconds `os cloud up` waits for every service to answer.", 1),
  },
};
