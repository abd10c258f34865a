import { existsSync } from "node:fs";
import type { RequestContext } from "../../common/context.js";
import { HttpError } from "../../common/http/errors.js";
import { Enforcer, PolicyNotAuthorized, type RuleDefault } from "../../common/policy/index.js";

/**
 * Nova's policy-in-code defaults (nova/policies, Zed), check strings reproduced as data: project
 * readers may look, project members may act on their project's servers, admins may do everything and
 * alone manage flavors, services and hypervisors. The deprecated `rule:admin_or_owner` defaults are
 * not OR-ed in ([oslo_policy] enforce_new_defaults = true), so a reader cannot create or change a server.
 */
const ADMIN = "rule:admin_api";
const MEMBER = "rule:project_member_or_admin";
const READER = "rule:project_reader_or_admin";
const ANY = "@";
const KEYPAIR_OWNER = "(rule:admin_api) or user_id:%(user_id)s";

const r = (name: string, checkStr: string, description: string): RuleDefault => ({ name, checkStr, description, scopeTypes: ["project"] });

export const NOVA_POLICY_DEFAULTS: RuleDefault[] = [
  r("context_is_admin", "role:admin", "Who is an administrator of the compute service."),
  r("admin_api", "role:admin", "Admin-only APIs."),
  r("project_member_api", "role:member and project_id:%(project_id)s", "A member of the target's project."),
  r("project_reader_api", "role:reader and project_id:%(project_id)s", "A reader of the target's project."),
  r("project_member_or_admin", "rule:project_member_api or rule:context_is_admin", "A project member, or an admin."),
  r("project_reader_or_admin", "rule:project_reader_api or rule:context_is_admin", "A project reader, or an admin."),
  r("os_compute_api:servers:index", READER, "List servers."),
  r("os_compute_api:servers:detail", READER, "List servers with details."),
  r("os_compute_api:servers:index:get_all_tenants", ADMIN, "List servers of all projects."),
  r("os_compute_api:servers:detail:get_all_tenants", ADMIN, "List servers of all projects, with details."),
  r("os_compute_api:servers:allow_all_filters", ADMIN, "Filter servers by any field."),
  r("os_compute_api:servers:show", READER, "Show a server."),
  r("os_compute_api:servers:show:host_status", ADMIN, "See a server's host_status."),
  r("os_compute_api:servers:create", MEMBER, "Create a server."),
  r("os_compute_api:servers:create:forced_host", ADMIN, "Create a server on a given host."),
  r("os_compute_api:servers:delete", MEMBER, "Delete a server."),
  r("os_compute_api:servers:update", MEMBER, "Update a server."),
  r("os_compute_api:servers:start", MEMBER, "Start a server."),
  r("os_compute_api:servers:stop", MEMBER, "Stop a server."),
  r("os_compute_api:servers:reboot", MEMBER, "Reboot a server."),
  r("os_compute_api:servers:rebuild", MEMBER, "Rebuild a server."),
  r("os_compute_api:servers:resize", MEMBER, "Resize a server."),
  r("os_compute_api:servers:confirm_resize", MEMBER, "Confirm a resize."),
  r("os_compute_api:servers:revert_resize", MEMBER, "Revert a resize."),
  r("os_compute_api:servers:create_image", MEMBER, "Snapshot a server to an image."),
  r("os_compute_api:servers:trigger_crash_dump", MEMBER, "Trigger a crash dump in a server."),
  r("os_compute_api:os-pause-server:pause", MEMBER, "Pause a server."),
  r("os_compute_api:os-pause-server:unpause", MEMBER, "Unpause a server."),
  r("os_compute_api:os-suspend-server:suspend", MEMBER, "Suspend a server."),
  r("os_compute_api:os-suspend-server:resume", MEMBER, "Resume a server."),
  r("os_compute_api:os-lock-server:lock", MEMBER, "Lock a server."),
  r("os_compute_api:os-lock-server:unlock", MEMBER, "Unlock a server."),
  r("os_compute_api:os-lock-server:unlock:unlock_override", ADMIN, "Unlock a server someone else locked."),
  r("os_compute_api:os-admin-actions:reset_state", ADMIN, "Reset the state of a given server."),
  r("os_compute_api:os-deferred-delete:force", MEMBER, "Force-delete a server before deferred cleanup."),
  r("os_compute_api:os-deferred-delete:restore", MEMBER, "Restore a soft-deleted server."),
  r("os_compute_api:os-console-output", MEMBER, "Show a server's console output."),
  r("os_compute_api:os-remote-consoles", MEMBER, "Open a remote console of a server."),
  r("os_compute_api:os-instance-actions:list", READER, "List a server's actions."),
  r("os_compute_api:os-instance-actions:show", READER, "Show a server's action."),
  r("os_compute_api:os-instance-actions:events", ADMIN, "See the events of an action (before 2.51)."),
  r("os_compute_api:os-instance-actions:events:details", ADMIN, "See the tracebacks and hosts of events."),
  r("os_compute_api:server-metadata:index", READER, "List a server's metadata."),
  r("os_compute_api:server-metadata:show", READER, "Show a server metadata item."),
  r("os_compute_api:server-metadata:create", MEMBER, "Add server metadata."),
  r("os_compute_api:server-metadata:update", MEMBER, "Change a server metadata item."),
  r("os_compute_api:server-metadata:update_all", MEMBER, "Replace a server's metadata."),
  r("os_compute_api:server-metadata:delete", MEMBER, "Delete a server metadata item."),
  r("os_compute_api:os-server-tags:index", READER, "List a server's tags."),
  r("os_compute_api:os-server-tags:show", READER, "Check a server tag."),
  r("os_compute_api:os-server-tags:update", MEMBER, "Add a server tag."),
  r("os_compute_api:os-server-tags:update_all", MEMBER, "Replace a server's tags."),
  r("os_compute_api:os-server-tags:delete", MEMBER, "Delete a server tag."),
  r("os_compute_api:os-server-tags:delete_all", MEMBER, "Delete all of a server's tags."),
  r("os_compute_api:os-flavor-manage:create", ADMIN, "Create a flavor."),
  r("os_compute_api:os-flavor-manage:update", ADMIN, "Update a flavor's description."),
  r("os_compute_api:os-flavor-manage:delete", ADMIN, "Delete a flavor."),
  r("os_compute_api:os-flavor-extra-specs:index", READER, "List a flavor's extra specs."),
  r("os_compute_api:os-flavor-extra-specs:show", READER, "Show a flavor extra spec."),
  r("os_compute_api:os-flavor-extra-specs:create", ADMIN, "Add flavor extra specs."),
  r("os_compute_api:os-flavor-extra-specs:update", ADMIN, "Change a flavor extra spec."),
  r("os_compute_api:os-flavor-extra-specs:delete", ADMIN, "Delete a flavor extra spec."),
  r("os_compute_api:os-flavor-access", ADMIN, "List the projects with access to a private flavor."),
  r("os_compute_api:os-flavor-access:add_tenant_access", ADMIN, "Give a project access to a private flavor."),
  r("os_compute_api:os-flavor-access:remove_tenant_access", ADMIN, "Take a project's access to a private flavor."),
  r("os_compute_api:os-keypairs:index", KEYPAIR_OWNER, "List key pairs."),
  r("os_compute_api:os-keypairs:create", KEYPAIR_OWNER, "Create or import a key pair."),
  r("os_compute_api:os-keypairs:show", KEYPAIR_OWNER, "Show a key pair."),
  r("os_compute_api:os-keypairs:delete", KEYPAIR_OWNER, "Delete a key pair."),
  r("os_compute_api:os-services:list", ADMIN, "List compute services."),
  r("os_compute_api:os-services:update", ADMIN, "Enable, disable or force down a service."),
  r("os_compute_api:os-services:delete", ADMIN, "Delete a service."),
  r("os_compute_api:os-hypervisors:list", ADMIN, "List hypervisors."),
  r("os_compute_api:os-hypervisors:list-detail", ADMIN, "List hypervisors with details."),
  r("os_compute_api:os-hypervisors:show", ADMIN, "Show a hypervisor."),
  r("os_compute_api:os-hypervisors:statistics", ADMIN, "Show hypervisor statistics."),
  r("os_compute_api:os-availability-zone:list", ANY, "List availability zones."),
  r("os_compute_api:os-availability-zone:detail", ADMIN, "List availability zones with their hosts."),
  r("os_compute_api:os-quota-sets:show", READER, "Show a project's quotas."),
  r("os_compute_api:os-quota-sets:update", ADMIN, "Change a project's quotas."),
  r("os_compute_api:os-quota-sets:delete", ADMIN, "Reset a project's quotas to the defaults."),
  r("os_compute_api:os-quota-sets:defaults", ANY, "Show the default quotas."),
  r("os_compute_api:os-quota-sets:detail", READER, "Show a project's quotas with usage."),
  r("os_compute_api:limits", ANY, "Show the rate and absolute limits."),
  r("os_compute_api:os-server-groups:create", MEMBER, "Create a server group."),
  r("os_compute_api:os-server-groups:delete", MEMBER, "Delete a server group."),
  r("os_compute_api:os-server-groups:index", READER, "List server groups."),
  r("os_compute_api:os-server-groups:index:all_projects", ADMIN, "List server groups of all projects."),
  r("os_compute_api:os-server-groups:show", READER, "Show a server group."),
];

/** Nova's Enforcer; overrides from `<state dir>/etc/nova/policy.yaml`. */
export class ComputePolicy {
  private readonly enforcer: Enforcer;
  constructor(policyFile?: string, rules?: Record<string, string>) {
    this.enforcer = new Enforcer(NOVA_POLICY_DEFAULTS, {
      policyFile: policyFile && existsSync(policyFile) ? policyFile : undefined,
      rules,
      enforceNewDefaults: true,
    });
  }

  /** context.can(): 403 "Policy doesn't allow <rule> to be performed." when the rule denies. */
  authorize(ctx: RequestContext, action: string, target: Record<string, unknown> = {}): void {
    const t = { project_id: ctx.project_id, user_id: ctx.user_id, ...target };
    try {
      this.enforcer.authorize(action, t, { ...ctx, roles: ctx.roles ?? [] });
    } catch (err) {
      if (err instanceof PolicyNotAuthorized) throw new HttpError(403, `Policy doesn't allow ${action} to be performed.`);
      throw err;
    }
  }

  allows(ctx: RequestContext, action: string, target: Record<string, unknown> = {}): boolean {
    return this.enforcer.enforce(
      action,
      { project_id: ctx.project_id, user_id: ctx.user_id, ...target },
      { ...ctx, roles: ctx.roles ?? [] },
    );
  }

  isAdmin(ctx: RequestContext): boolean {
    return this.allows(ctx, "context_is_admin");
  }
}
