import type { AssignmentBackend, Role } from "./assignment.js";
import type { IdentityBackend } from "./identity.js";
import type { ResourceBackend } from "./resource.js";

/**
 * Effective roles, the way Keystone computes what goes in a token: a user's own assignments plus
 * those of their groups; on a project also the assignments marked inherited on its parents and on
 * its domain; then the closure over implied roles. Domain-specific roles only serve as priors: they
 * never appear in a token themselves.
 */
export class EffectiveRoles {
  constructor(
    private readonly identity: IdentityBackend,
    private readonly resource: ResourceBackend,
    private readonly assignment: AssignmentBackend,
    /** Changes whenever the database does (KeystoneStore.generation); memoized answers are keyed by it. */
    private readonly generation: () => string,
  ) {}

  /**
   * Every token issue and validation asks for the same user's roles in the same scope: remember the
   * answers until the database changes (a grant, a revocation, a new implied role).
   */
  private memo = new Map<string, Role[]>();
  private memoGeneration = "";

  private remembered(key: string, compute: () => Role[]): Role[] {
    const gen = this.generation();
    if (gen !== this.memoGeneration || this.memo.size > 10_000) {
      this.memo.clear();
      this.memoGeneration = gen;
    }
    let roles = this.memo.get(key);
    if (!roles) {
      roles = compute();
      this.memo.set(key, roles);
    }
    // A copy: callers may filter or sort what they get.
    return [...roles];
  }

  private actors(userId: string): string[] {
    return [userId, ...this.identity.groupIdsForUser(userId)];
  }

  private finish(roleIds: Iterable<string>): Role[] {
    const out: Role[] = [];
    for (const id of this.assignment.closure(roleIds)) {
      const role = this.assignment.findRole(id);
      if (role && role.domain_id === null) out.push(role);
    }
    return out.sort((a, b) => a.name.localeCompare(b.name));
  }

  /** Role ids assigned (not yet implied-expanded) to the user on a project, with the project's domain. */
  directOnProject(userId: string, projectId: string, domainId: string): Set<string> {
    const actors = this.actors(userId);
    const ids = new Set<string>();
    for (const a of this.assignment.list({ actor_ids: actors, target: "project", target_ids: [projectId], inherited: false }))
      ids.add(a.role_id);
    const ancestors = this.resource.ancestors(projectId);
    if (ancestors.length)
      for (const a of this.assignment.list({ actor_ids: actors, target: "project", target_ids: ancestors, inherited: true }))
        ids.add(a.role_id);
    for (const a of this.assignment.list({ actor_ids: actors, target: "domain", target_ids: [domainId], inherited: true }))
      ids.add(a.role_id);
    return ids;
  }

  onProject(userId: string, projectId: string): Role[] {
    return this.remembered(`p|${userId}|${projectId}`, () => {
      const p = this.resource.findProject(projectId);
      if (!p) return [];
      return this.finish(this.directOnProject(userId, projectId, p.domain_id));
    });
  }

  onDomain(userId: string, domainId: string): Role[] {
    return this.remembered(`d|${userId}|${domainId}`, () =>
      this.finish(
        this.assignment
          .list({ actor_ids: this.actors(userId), target: "domain", target_ids: [domainId], inherited: false })
          .map((a) => a.role_id),
      ),
    );
  }

  onSystem(userId: string): Role[] {
    return this.remembered(`s|${userId}`, () =>
      this.finish(this.assignment.list({ actor_ids: this.actors(userId), target: "system" }).map((a) => a.role_id)),
    );
  }

  /** Projects where the user has at least one effective role (GET /v3/users/{id}/projects, /v3/auth/projects). */
  projectIds(userId: string): string[] {
    const actors = this.actors(userId);
    const ids = new Set<string>();
    for (const a of this.assignment.list({ actor_ids: actors, target: "project" })) {
      if (!a.inherited) ids.add(a.target_id);
      else for (const sub of this.resource.subtree(a.target_id)) ids.add(sub);
    }
    for (const a of this.assignment.list({ actor_ids: actors, target: "domain", inherited: true }))
      for (const p of this.resource.listProjects({ domain_id: a.target_id })) ids.add(p.id);
    return [...ids];
  }

  /** Domains where the user has a (non-inherited) role. */
  domainIds(userId: string): string[] {
    return [
      ...new Set(this.assignment.list({ actor_ids: this.actors(userId), target: "domain", inherited: false }).map((a) => a.target_id)),
    ];
  }
}
