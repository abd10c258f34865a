import { randomBytes } from "node:crypto";
import { chmodSync, createReadStream, existsSync, rmSync } from "node:fs";
import type { Config } from "../common/config/config.js";
import { withSpan } from "../common/trace/tracer.js";
import type { Layout } from "../common/paths.js";
import { setIniOption } from "./conf-edit.js";
import { readAdminPassword, writeAdminProfile } from "./profile.js";

// What an installer does around the services (DevStack's stack.sh, the seed's Ansible playbooks):
// keystone-manage fernet_setup + bootstrap before Keystone starts, then the service project, the service
// user and the catalog entries of the other services through the identity API once it answers.

const password = () => randomBytes(18).toString("base64url");

const scheme = (config: Config) => (config.bool("ssl", "enabled") ? "https" : "http");

export const keystoneUrl = (config: Config) =>
  `${scheme(config)}://${config.str("DEFAULT", "my_ip")}:${config.int("api", "keystone_port")}/v3`;

/** The catalog entries of the non-identity services (type, name, URL), as the install guides register them. */
export function catalogEntries(config: Config): Array<{ type: string; name: string; description: string; url: string }> {
  const base = `${scheme(config)}://${config.str("DEFAULT", "my_ip")}`;
  return [
    { type: "image", name: "glance", description: "OpenStack Image", url: `${base}:${config.int("api", "glance_port")}` },
    { type: "placement", name: "placement", description: "Placement API", url: `${base}:${config.int("api", "placement_port")}` },
    { type: "compute", name: "nova", description: "OpenStack Compute", url: `${base}:${config.int("api", "compute_port")}/v2.1` },
  ];
}

/**
 * Before the services start: token keys, Keystone's bootstrap, the admin profile and the service user's
 * password in pocketstack.conf. Idempotent: a second run keeps the passwords it made the first time.
 * Returns the config to use (re-read when this run wrote to pocketstack.conf).
 */
export async function deployOffline(
  l: Layout,
  config: Config,
  reload: () => Config,
  tls: { cacert?: string; cert?: string; key?: string } = {},
): Promise<Config> {
  const { ensureTokenKeys, openKeystoneStore } = await import("../identity/keystone.js");
  const { bootstrap } = await import("../identity/bootstrap.js");
  ensureTokenKeys(config, l);
  const adminPassword = readAdminPassword(l) ?? password();
  const store = openKeystoneStore(config, l);
  try {
    const url = keystoneUrl(config);
    bootstrap(store, {
      password: adminPassword,
      regionId: config.str("DEFAULT", "region_name"),
      publicUrl: url,
      internalUrl: url,
      adminUrl: url,
    });
  } finally {
    store.close();
  }
  // nova-manage api_db sync / db sync / cell_v2 map_cell0 / create_cell, and the default flavors.
  const { novaFirstStart } = await import("../compute/db/first-start.js");
  novaFirstStart(l.root, config);
  writeAdminProfile(l, {
    authUrl: keystoneUrl(config),
    username: "admin",
    password: adminPassword,
    projectName: "admin",
    region: config.str("DEFAULT", "region_name"),
    ...tls,
  });
  // The file holds the service password: owner-only, like clouds.yaml and the keys.
  if (existsSync(l.config)) chmodSync(l.config, 0o600);
  if (!config.str("keystone_authtoken", "password")) {
    setIniOption(l.config, "keystone_authtoken", "password", password());
    return reload();
  }
  return config;
}

/** After Keystone answers: the service project and user, and every service's endpoints in the catalog. */
export async function deployOnline(l: Layout, config: Config): Promise<void> {
  const { Session, IdentityApi } = await import("../../client/index.js");
  const session = Session.fromEnvironment({ stateDir: l.root, cloud: "pocketstack", env: {} });
  const id = new IdentityApi(session);
  await withSpan("deploy.register_services", "internal", async () => {
    const project = await ensure(id, "projects", { name: "service", domain_id: "default", description: "Service project" });
    for (const role of ["admin", "service"]) await ensure(id, "roles", { name: role });
    const serviceUser = config.str("keystone_authtoken", "username") || config.str("keystone_authtoken", "service_user");
    const user = await ensure(id, "users", {
      name: serviceUser,
      domain_id: "default",
      password: config.str("keystone_authtoken", "password"),
    });
    // Keep the password in step with pocketstack.conf if the user existed already — but only when it is
    // out of step: a password change revokes the user's tokens, which the running services hold.
    if (!(await canAuthenticate(session, serviceUser, config.str("keystone_authtoken", "password"))))
      await id.update("users", String(user.id), { password: config.str("keystone_authtoken", "password") });
    const roles = await id.list("roles");
    for (const name of ["admin", "service"]) {
      const role = roles.find((r) => r.name === name);
      if (role) await session.request("identity", "PUT", `/projects/${project.id}/users/${user.id}/roles/${role.id}`);
    }
    const region = config.str("DEFAULT", "region_name");
    const services = await id.list("services");
    const endpoints = await id.list("endpoints");
    for (const e of catalogEntries(config)) {
      const svc =
        services.find((s) => s.type === e.type) ??
        (await id.create("services", { type: e.type, name: e.name, description: e.description, enabled: true }));
      for (const iface of ["public", "internal", "admin"]) {
        const existing = endpoints.find((p) => p.service_id === svc.id && p.interface === iface);
        if (!existing) await id.create("endpoints", { service_id: svc.id, interface: iface, url: e.url, region_id: region, enabled: true });
        else if (existing.url !== e.url) await id.update("endpoints", String(existing.id), { url: e.url });
      }
    }
  });
  // Cached tokens carry the catalog as it was: drop them so the next command sees the new endpoints.
  rmSync(l.tokenCache, { force: true });
}

/**
 * The seed's Lab 3 step: upload the CirrOS-like guest image as `cirros` (public, qcow2, bare) unless an
 * image of that name exists. Returns a warning instead of failing the whole `cloud up` when the image
 * cannot be built (e.g. the QEMU tool packages are missing): the cloud is still usable without it.
 */
export async function ensureCirrosImage(l: Layout): Promise<string | undefined> {
  const { Session } = await import("../../client/index.js");
  const session = Session.fromEnvironment({ stateDir: l.root, cloud: "pocketstack", env: {} });
  const existing = await session.request<{ images: unknown[] }>("image", "GET", "/v2/images", { query: { name: "cirros" } });
  if (existing.body.images.length > 0) return undefined;
  let file: string;
  try {
    const { ensureGuestImage } = await import("../../hypervisor/qemu/guest-image.js");
    file = await ensureGuestImage();
  } catch (err) {
    return `no cirros image uploaded: ${(err as Error).message}`;
  }
  const created = await session.request<{ id: string }>("image", "POST", "/v2/images", {
    body: { name: "cirros", disk_format: "qcow2", container_format: "bare", visibility: "public", min_disk: 0, min_ram: 0 },
  });
  await session.request("image", "PUT", `/v2/images/${created.body.id}/file`, {
    body: createReadStream(file),
    headers: { "content-type": "application/octet-stream" },
  });
  return undefined;
}

async function ensure(
  id: {
    list(kind: string, q?: Record<string, string>): Promise<Array<Record<string, unknown>>>;
    create(kind: never, body: Record<string, unknown>): Promise<Record<string, unknown>>;
  },
  kind: string,
  body: Record<string, unknown>,
): Promise<Record<string, unknown>> {
  const found = (await id.list(kind, { name: String(body.name) }))[0];
  return found ?? id.create(kind as never, body);
}

/** nova-manage cell_v2 discover_hosts, as the install guides run it once the computes are up. */
export async function discoverHosts(l: Layout): Promise<string[]> {
  const { cellMappingsFor } = await import("../compute/cells/manage.js");
  const { cells } = cellMappingsFor(l.root);
  return cells.discoverHosts().map((m) => m.host);
}

/** Does this user/password get a token (unscoped) from the cloud's Keystone? */
async function canAuthenticate(
  session: { request(service: string, method: string, path: string, opts: Record<string, unknown>): Promise<{ status: number }> },
  name: string,
  password: string,
): Promise<boolean> {
  try {
    const res = await session.request("identity", "POST", "/auth/tokens", {
      noAuth: true,
      body: { auth: { identity: { methods: ["password"], password: { user: { name, password, domain: { id: "default" } } } } } },
      query: { nocatalog: "1" },
    });
    return res.status === 201;
  } catch {
    return false;
  }
}
