import { type TokenPayload, type TokenProvider, TokenInvalid, newAuditId } from "../token/index.js";
import type { AppCredential } from "../backends/app-credential.js";
import type { Role } from "../backends/assignment.js";
import type { User } from "../backends/identity.js";
import type { Domain, Project } from "../backends/resource.js";
import type { KeystoneStore } from "../store.js";

export type Scope = { kind: "unscoped" } | { kind: "project"; project: Project } | { kind: "domain"; domain: Domain } | { kind: "system" };

/** Who authenticated and how: what the auth methods established before scoping. */
export interface AuthResult {
  user: User;
  methods: string[];
  /** Set when the token method re-used an existing token's expiry and audit chain. */
  expiresAt?: Date;
  parentAuditId?: string;
  appCred?: AppCredential;
}

/** A token that passed every check, with everything needed to render it or to build a request context. */
export interface ValidatedToken {
  token: string;
  payload: TokenPayload;
  user: User;
  userDomain: Domain;
  scope: Scope;
  /** Domain of the scoped project. */
  projectDomain?: Domain;
  roles: Role[];
  appCred?: AppCredential;
  isAdminProject?: boolean;
}

type ResolvedScope = Omit<ValidatedToken, "token" | "payload"> | TokenInvalid;

export interface TokenServiceOptions {
  expirationSeconds: number;
  adminProjectName: string;
  adminProjectDomainName: string;
}

/**
 * Issues and validates tokens on top of the format provider: the provider proves a token is genuine and
 * unexpired; this adds what Keystone checks on every validation (revocation events, user and project
 * still enabled, roles still held) and derives the token's effective roles.
 */
export class TokenService {
  constructor(
    private readonly store: KeystoneStore,
    private readonly provider: TokenProvider,
    private readonly opts: TokenServiceOptions,
  ) {}

  async issue(auth: AuthResult, scope: Scope): Promise<ValidatedToken> {
    const auditId = newAuditId();
    const expiresAt = auth.expiresAt ?? new Date(Math.floor(Date.now() / 1000) * 1000 + this.opts.expirationSeconds * 1000);
    if (auth.appCred?.expires_at && Date.parse(auth.appCred.expires_at) < expiresAt.getTime()) {
      expiresAt.setTime(Date.parse(auth.appCred.expires_at));
    }
    const payload: Omit<TokenPayload, "issued_at"> = {
      user_id: auth.user.id,
      methods: auth.methods,
      expires_at: expiresAt,
      audit_ids: auth.parentAuditId ? [auditId, auth.parentAuditId] : [auditId],
    };
    if (scope.kind === "project") payload.project_id = scope.project.id;
    if (scope.kind === "domain") payload.domain_id = scope.domain.id;
    if (scope.kind === "system") payload.system = "all";
    if (auth.appCred) payload.app_cred_id = auth.appCred.id;
    this.store.revoke.minted(auditId);
    const { token, issued_at } = await this.provider.issue(payload);
    // Same checks as a later validation: the user must hold a role in the requested scope.
    return this.check(token, { ...payload, issued_at });
  }

  /** Validate a token string; throws TokenInvalid for anything that makes it unusable. */
  async validate(token: string): Promise<ValidatedToken> {
    const payload = await this.provider.validate(token);
    if (this.store.revoke.isRevoked(payload)) throw new TokenInvalid("token has been revoked", "payload");
    return this.check(token, payload);
  }

  /**
   * What a payload resolves to (user, scope, roles) without a token string: tokenless authorization
   * treats its caller as if it held a token. Throws TokenInvalid as a validation would.
   */
  describe(payload: TokenPayload): ValidatedToken {
    return this.check("", payload);
  }

  /** What a token's user and scope resolve to, memoized until the database changes. */
  private scopeCache = new Map<string, ResolvedScope>();
  private scopeCacheGeneration = "";

  private check(token: string, payload: TokenPayload): ValidatedToken {
    const gen = this.store.generation();
    if (gen !== this.scopeCacheGeneration || this.scopeCache.size > 10_000) {
      this.scopeCache.clear();
      this.scopeCacheGeneration = gen;
    }
    const key = `${payload.user_id}|${payload.project_id ?? ""}|${payload.domain_id ?? ""}|${payload.system ?? ""}|${payload.app_cred_id ?? ""}`;
    let resolved = this.scopeCache.get(key);
    if (!resolved) {
      resolved = this.resolve(payload);
      this.scopeCache.set(key, resolved);
    }
    if (resolved instanceof TokenInvalid) throw resolved;
    if (resolved.appCred?.expires_at && Date.parse(resolved.appCred.expires_at) <= Date.now())
      throw new TokenInvalid("application credential expired", "payload");
    return { token, payload, ...resolved };
  }

  private resolve(payload: TokenPayload): ResolvedScope {
    try {
      return this.resolveOrThrow(payload);
    } catch (e) {
      if (e instanceof TokenInvalid) return e;
      throw e;
    }
  }

  private resolveOrThrow(payload: TokenPayload): Exclude<ResolvedScope, TokenInvalid> {
    const { identity, resource, effective, appCredential } = this.store;
    const user = identity.findUser(payload.user_id);
    if (!user || !user.enabled) throw new TokenInvalid("user is missing or disabled", "payload");
    const userDomain = resource.findDomain(user.domain_id);
    if (!userDomain || !userDomain.enabled) throw new TokenInvalid("user's domain is missing or disabled", "payload");

    let scope: Scope = { kind: "unscoped" };
    let roles: Role[] = [];
    let projectDomain: Domain | undefined;
    let isAdminProject: boolean | undefined;
    if (payload.project_id) {
      const project = resource.findProject(payload.project_id);
      if (!project || !project.enabled) throw new TokenInvalid("project is missing or disabled", "payload");
      projectDomain = resource.findDomain(project.domain_id);
      if (!projectDomain || !projectDomain.enabled) throw new TokenInvalid("project's domain is disabled", "payload");
      scope = { kind: "project", project };
      roles = effective.onProject(user.id, project.id);
      isAdminProject = project.name === this.opts.adminProjectName && projectDomain.name === this.opts.adminProjectDomainName;
    } else if (payload.domain_id) {
      const domain = resource.findDomain(payload.domain_id);
      if (!domain || !domain.enabled) throw new TokenInvalid("domain is missing or disabled", "payload");
      scope = { kind: "domain", domain };
      roles = effective.onDomain(user.id, domain.id);
    } else if (payload.system) {
      scope = { kind: "system" };
      roles = effective.onSystem(user.id);
    }

    let appCred: AppCredential | undefined;
    if (payload.app_cred_id) {
      appCred = appCredential.find(payload.app_cred_id);
      if (!appCred) throw new TokenInvalid("application credential is gone", "payload");
      if (appCred.expires_at && Date.parse(appCred.expires_at) <= Date.now())
        throw new TokenInvalid("application credential expired", "payload");
      // The credential's roles, limited to what the user still holds (and what those imply).
      const granted = this.store.assignment.closure(appCred.role_ids);
      roles = roles.filter((r) => granted.has(r.id));
    }
    if (scope.kind !== "unscoped" && roles.length === 0) throw new TokenInvalid("no role in the token's scope", "payload");
    return { user, userDomain, scope, projectDomain, roles, appCred, isAdminProject };
  }

  /** The body of POST/GET /v3/auth/tokens. */
  render(v: ValidatedToken, withCatalog: boolean): Record<string, unknown> {
    const t: Record<string, unknown> = {
      methods: v.payload.methods,
      user: {
        domain: { id: v.userDomain.id, name: v.userDomain.name },
        id: v.user.id,
        name: v.user.name,
        password_expires_at: v.user.password_expires_at,
      },
      audit_ids: v.payload.audit_ids,
      expires_at: keystoneTime(v.payload.expires_at),
      issued_at: keystoneTime(v.payload.issued_at),
    };
    if (v.scope.kind === "project") {
      t.project = { domain: { id: v.projectDomain?.id, name: v.projectDomain?.name }, id: v.scope.project.id, name: v.scope.project.name };
      t.is_domain = false;
    } else if (v.scope.kind === "domain") {
      t.domain = { id: v.scope.domain.id, name: v.scope.domain.name };
    } else if (v.scope.kind === "system") {
      t.system = { all: true };
    }
    if (v.scope.kind !== "unscoped") {
      t.roles = v.roles.map((r) => ({ id: r.id, name: r.name }));
      if (withCatalog) t.catalog = this.store.catalog.catalog();
    }
    if (v.isAdminProject !== undefined) t.is_admin_project = v.isAdminProject;
    if (v.appCred) t.application_credential = { id: v.appCred.id, name: v.appCred.name, restricted: !v.appCred.unrestricted };
    return { token: t };
  }
}

/** Keystone's timestamps: ISO 8601 with microseconds and a Z. */
export function keystoneTime(d: Date): string {
  return d.toISOString().replace(/\.(\d{3})Z$/, ".$1000Z");
}
