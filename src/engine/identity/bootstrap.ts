import type { KeystoneStore } from "./store.js";

export interface BootstrapOptions {
  password: string;
  username?: string;
  projectName?: string;
  roleName?: string;
  regionId?: string;
  publicUrl?: string;
  internalUrl?: string;
  adminUrl?: string;
  serviceName?: string;
}

export interface BootstrapResult {
  domain_id: string;
  project_id: string;
  user_id: string;
  role_ids: Record<string, string>;
  service_id?: string;
  endpoint_ids: string[];
  /** What this run created (empty on a re-run over a bootstrapped database). */
  created: string[];
}

/**
 * keystone-manage bootstrap: the Default domain, an admin project and user, the admin/member/reader
 * roles with admin ⇒ member ⇒ reader, admin on the project and on the system, and the identity service
 * with its endpoints. Safe to run again: existing objects are kept (the password is reset, as
 * keystone-manage does when the user already exists).
 */
export function bootstrap(store: KeystoneStore, o: BootstrapOptions): BootstrapResult {
  const username = o.username ?? "admin";
  const projectName = o.projectName ?? "admin";
  const roleName = o.roleName ?? "admin";
  const created: string[] = [];
  return store.db.transaction((): BootstrapResult => {
    const { resource, identity, assignment, catalog } = store;
    const domain =
      resource.findDomain("default") ??
      (created.push("domain Default"), resource.createDomain({ id: "default", name: "Default", description: "The default domain" }));

    const project = (() => {
      try {
        return resource.getProjectByName(projectName, domain.id);
      } catch {
        created.push(`project ${projectName}`);
        return resource.createProject({
          name: projectName,
          domain_id: domain.id,
          description: "Bootstrap project for initializing the cloud.",
        });
      }
    })();

    let user: ReturnType<typeof identity.getUserByName>;
    try {
      user = identity.getUserByName(username, domain.id);
      if (!identity.checkPassword(user.id, o.password)) identity.setPassword(user.id, o.password);
      if (!user.enabled) identity.updateUser(user.id, { enabled: true });
    } catch {
      created.push(`user ${username}`);
      user = identity.createUser({ name: username, domain_id: domain.id, password: o.password, enabled: true });
    }

    const roleIds: Record<string, string> = {};
    for (const name of ["reader", "member", roleName === "admin" ? "admin" : roleName, ...(roleName === "admin" ? [] : ["admin"])]) {
      if (roleIds[name]) continue;
      try {
        roleIds[name] = assignment.getRoleByName(name).id;
      } catch {
        created.push(`role ${name}`);
        roleIds[name] = assignment.createRole({ name }).id;
      }
    }
    const admin = roleIds.admin as string;
    const member = roleIds.member as string;
    const reader = roleIds.reader as string;
    if (!assignment.hasImplied(admin, member)) assignment.addImplied(admin, member);
    if (!assignment.hasImplied(member, reader)) assignment.addImplied(member, reader);
    const bootRole = roleIds[roleName] as string;
    assignment.grant({ actor: "user", actor_id: user.id, target: "project", target_id: project.id, role_id: bootRole });
    assignment.grant({ actor: "user", actor_id: user.id, target: "system", target_id: "all", role_id: bootRole });

    const result: BootstrapResult = {
      domain_id: domain.id,
      project_id: project.id,
      user_id: user.id,
      role_ids: roleIds,
      endpoint_ids: [],
      created,
    };
    if (o.regionId && !catalog.findRegion(o.regionId)) {
      created.push(`region ${o.regionId}`);
      catalog.createRegion({ id: o.regionId });
    }
    const urls: Array<[string, string | undefined]> = [
      ["public", o.publicUrl],
      ["internal", o.internalUrl],
      ["admin", o.adminUrl],
    ];
    if (urls.some(([, u]) => u)) {
      const serviceName = o.serviceName ?? "keystone";
      const service =
        catalog.listServices({ type: "identity" })[0] ??
        (created.push(`service ${serviceName}`), catalog.createService({ type: "identity", name: serviceName, enabled: true }));
      result.service_id = service.id;
      for (const [iface, url] of urls) {
        if (!url) continue;
        const existing = catalog
          .listEndpoints({ service_id: service.id, interface: iface })
          .find((e) => e.region_id === (o.regionId ?? null));
        if (existing) {
          if (existing.url !== url) catalog.updateEndpoint(existing.id, { url });
          result.endpoint_ids.push(existing.id);
        } else {
          created.push(`${iface} endpoint ${url}`);
          result.endpoint_ids.push(
            catalog.createEndpoint({ interface: iface, service_id: service.id, url, region_id: o.regionId ?? null }).id,
          );
        }
      }
    }
    return result;
  })();
}
