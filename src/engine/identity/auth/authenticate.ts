import { TokenInvalid } from "../token/index.js";
import type { User } from "../backends/identity.js";
import type { Domain } from "../backends/resource.js";
import { invalidField, missing, validation } from "../errors.js";
import type { KeystoneStore } from "../store.js";
import type { AuthResult, Scope, TokenService } from "./token-service.js";

/** Authentication failed: always answered with the same 401, so a caller learns nothing about why. */
export class AuthFailed extends Error {
  override name = "AuthFailed";
}

type Dict = Record<string, unknown>;
const isDict = (v: unknown): v is Dict => typeof v === "object" && v !== null && !Array.isArray(v);
const str = (v: unknown): v is string => typeof v === "string" && v.length > 0;

/**
 * POST /v3/auth/tokens, the part before the token is minted: check the request's shape (400s),
 * run each auth method (password, token, application_credential), then resolve the requested scope.
 */
export class Authenticator {
  constructor(
    private readonly store: KeystoneStore,
    private readonly tokens: TokenService,
  ) {}

  /**
   * `opts.mapped` handles the `mapped` method (keystone's plugin for federation protocols; here the x509
   * protocol of tokenless authorization): the user its payload and the request's certificate map to, or
   * why not.
   */
  async authenticate(body: Dict, opts: { mapped?: (payload: Dict) => User | string } = {}): Promise<{ auth: AuthResult; scope: Scope }> {
    const auth = body.auth;
    if (!isDict(auth)) throw validation("'auth' is a required property.");
    const identity = auth.identity;
    if (!isDict(identity)) throw invalidField("auth", "'identity' is a required property");
    const methods = identity.methods;
    if (!Array.isArray(methods) || methods.length === 0 || !methods.every((m) => typeof m === "string"))
      throw invalidField("auth.identity", "'methods' is a required property and must be a non-empty list of strings");
    for (const m of methods as string[]) {
      const known = ["password", "token", "application_credential", ...(opts.mapped ? ["mapped"] : [])];
      if (!known.includes(m)) throw new AuthFailed(`unsupported auth method ${m}`);
      if (!isDict(identity[m])) throw missing(m, "identity");
    }

    let result: AuthResult | undefined;
    for (const m of methods as string[]) {
      const r =
        m === "password"
          ? await this.password(identity.password as Dict)
          : m === "token"
            ? await this.token(identity.token as Dict)
            : m === "mapped"
              ? this.mapped(identity.mapped as Dict, opts.mapped as NonNullable<typeof opts.mapped>)
              : await this.appCredential(identity.application_credential as Dict);
      // Every method must name the same user (Keystone's multi-method auth).
      if (result && result.user.id !== r.user.id) throw new AuthFailed("auth methods identify different users");
      result = result ? { ...result, ...r, methods: [...new Set([...result.methods, ...r.methods])] } : r;
    }
    const res = result as AuthResult;
    const scope = res.appCred ? this.appCredScope(res, auth.scope) : this.scope(res.user, auth.scope);
    return { auth: res, scope };
  }

  private lookupDomain(d: unknown, where: string): Domain {
    if (!isDict(d) || !(str(d.id) || str(d.name))) throw missing("id or name", where);
    const domain = str(d.id)
      ? this.store.resource.findDomain(d.id)
      : this.safe(() => this.store.resource.getDomainByName(d.name as string));
    if (!domain) throw new AuthFailed("domain not found");
    if (!domain.enabled) throw new AuthFailed("domain disabled");
    return domain;
  }

  private safe<T>(f: () => T): T | undefined {
    try {
      return f();
    } catch {
      return undefined;
    }
  }

  private lookupUser(u: unknown, where: string): User {
    if (!isDict(u)) throw missing("user", where);
    let user: User | undefined;
    if (str(u.id)) user = this.store.identity.findUser(u.id);
    else if (str(u.name)) {
      if (u.domain === undefined) throw missing("domain", "user");
      const domain = this.lookupDomain(u.domain, "domain");
      user = this.safe(() => this.store.identity.getUserByName(u.name as string, domain.id));
    } else throw missing("id or name", "user");
    if (!user) throw new AuthFailed("user not found");
    if (!user.enabled) throw new AuthFailed("user disabled");
    const dom = this.store.resource.findDomain(user.domain_id);
    if (!dom?.enabled) throw new AuthFailed("user's domain disabled");
    return user;
  }

  private async password(p: Dict): Promise<AuthResult> {
    const user = this.lookupUser(p.user, "password");
    const pw = (p.user as Dict).password;
    if (typeof pw !== "string") throw new AuthFailed("no password");
    if (!(await this.store.identity.verifyPassword(user.id, pw))) throw new AuthFailed("wrong password");
    return { user, methods: ["password"] };
  }

  private async token(t: Dict): Promise<AuthResult> {
    if (!str(t.id)) throw missing("id", "token");
    try {
      const v = await this.tokens.validate(t.id);
      if (v.appCred) throw new AuthFailed("a token from an application credential cannot be rescoped");
      return {
        user: v.user,
        methods: [...new Set([...v.payload.methods, "token"])],
        expiresAt: v.payload.expires_at,
        parentAuditId: v.payload.audit_ids[0],
      };
    } catch (e) {
      if (e instanceof TokenInvalid) throw new AuthFailed(e.message);
      throw e;
    }
  }

  private mapped(payload: Dict, resolve: (payload: Dict) => User | string): AuthResult {
    if (!str(payload.identity_provider)) throw missing("identity_provider", "mapped");
    if (!str(payload.protocol)) throw missing("protocol", "mapped");
    const user = resolve(payload);
    if (typeof user === "string") throw new AuthFailed(user);
    return { user, methods: ["mapped"] };
  }

  private async appCredential(a: Dict): Promise<AuthResult> {
    if (!str(a.secret)) throw missing("secret", "application_credential");
    let cred: ReturnType<typeof this.store.appCredential.find>;
    if (str(a.id)) cred = this.store.appCredential.find(a.id);
    else if (str(a.name)) {
      const user = this.lookupUser(a.user, "application_credential");
      cred = this.store.appCredential.findByName(user.id, a.name);
    } else throw missing("id or name", "application_credential");
    if (!cred) throw new AuthFailed("application credential not found");
    if (cred.expires_at && Date.parse(cred.expires_at) <= Date.now()) throw new AuthFailed("application credential expired");
    if (!(await this.store.appCredential.checkSecret(cred.id, a.secret))) throw new AuthFailed("wrong secret");
    const user = this.store.identity.findUser(cred.user_id);
    if (!user?.enabled) throw new AuthFailed("user disabled");
    return { user, methods: ["application_credential"], appCred: cred };
  }

  private appCredScope(res: AuthResult, requested: unknown): Scope {
    if (requested !== undefined) throw new AuthFailed("Application credentials cannot request a scope.");
    const cred = res.appCred!;
    if (cred.system) return { kind: "system" };
    const project = cred.project_id ? this.store.resource.findProject(cred.project_id) : undefined;
    if (!project?.enabled) throw new AuthFailed("application credential's project is gone or disabled");
    return { kind: "project", project };
  }

  private scope(user: User, s: unknown): Scope {
    const { resource, effective } = this.store;
    if (s === undefined) {
      // No scope asked: Keystone scopes to the user's default project when they hold a role there.
      const dp = user.default_project_id && resource.findProject(user.default_project_id);
      if (dp && dp.enabled && effective.onProject(user.id, dp.id).length > 0) return { kind: "project", project: dp };
      return { kind: "unscoped" };
    }
    if (s === "unscoped") return { kind: "unscoped" };
    if (!isDict(s)) throw invalidField("auth.scope", `${JSON.stringify(s)} is not valid under any of the given schemas`);
    const kinds = ["project", "domain", "system", "OS-TRUST:trust"].filter((k) => k in s);
    if (kinds.length !== 1) throw validation("Only one of project, domain or system can be given as the scope.");
    if (isDict(s.project)) {
      const p = s.project;
      let project: ReturnType<typeof resource.findProject>;
      if (str(p.id)) project = resource.findProject(p.id);
      else if (str(p.name)) {
        if (p.domain === undefined) throw missing("domain", "project");
        const domain = this.lookupDomain(p.domain, "domain");
        project = this.safe(() => resource.getProjectByName(p.name as string, domain.id));
      } else throw missing("id or name", "project");
      if (!project) throw new AuthFailed("project not found");
      if (!project.enabled) throw new AuthFailed("project disabled");
      if (effective.onProject(user.id, project.id).length === 0)
        throw new AuthFailed(`User ${user.id} has no access to project ${project.id}`);
      return { kind: "project", project };
    }
    if (s.domain !== undefined) {
      const domain = this.lookupDomain(s.domain, "domain");
      if (effective.onDomain(user.id, domain.id).length === 0) throw new AuthFailed(`User ${user.id} has no access to domain ${domain.id}`);
      return { kind: "domain", domain };
    }
    if (s.system !== undefined) {
      if (!isDict(s.system) || s.system.all !== true) throw invalidField("auth.scope.system", 'only {"all": true} is a valid system scope');
      if (effective.onSystem(user.id).length === 0) throw new AuthFailed(`User ${user.id} has no access to the system`);
      return { kind: "system" };
    }
    if (s.project !== undefined) throw invalidField("auth.scope.project", "must be an object");
    throw new AuthFailed("trusts are not supported");
  }
}
