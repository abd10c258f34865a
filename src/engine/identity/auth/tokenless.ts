// Keystone's X.509 tokenless authorization (keystone.common.tokenless_auth and the auth context
// middleware): a request without X-Auth-Token whose verified client certificate comes from a trusted
// issuer ([tokenless_auth] trusted_issuer, compared with the issuer_attribute, SSL_CLIENT_I_DN) is
// authorised as the user the mapping gives for the certificate's attributes, in the scope named by the
// X-Project-Id / X-Project-Name + X-Project-Domain-Id|Name / X-Domain-Id|Name headers. A token always
// takes precedence. The same mapping backs the `mapped` auth method with protocol x509, which issues a
// real token to the certificate's user (what keystone's mapped plugin does for a federation protocol).
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import type { Config } from "../../common/config/config.js";
import type { HttpRequest } from "../../common/http/types.js";
import { log } from "../../common/log.js";
import { sslClientEnviron } from "../../common/tls/client-env.js";
import { tokenlessOption, trustedIssuers } from "../../common/tls/options.js";
import type { User } from "../backends/identity.js";
import type { Domain, Project } from "../backends/resource.js";
import { notFound, unauthorized, validation } from "../errors.js";
import type { KeystoneStore } from "../store.js";
import { TokenInvalid } from "../token/index.js";
import { DEFAULT_X509_RULES, type MappingRule, mapUser, parseRules } from "./mapping.js";
import type { Scope, TokenService, ValidatedToken } from "./token-service.js";

export interface TokenlessOptions {
  trustedIssuers: string[];
  protocol: string;
  issuerAttribute: string;
  rules: MappingRule[];
}

/** DNs compare equal whatever the spaces after the commas ("CN=a, O=b" is "CN=a,O=b"). */
const normalizeDn = (dn: string) => dn.trim().replace(/(?<!\\),\s+/g, ",");

const header = (req: HttpRequest, name: string): string | undefined => {
  const v = req.headers[name];
  return typeof v === "string" && v !== "" ? v : undefined;
};

const baseUrl = (req: HttpRequest) => `${header(req, "x-forwarded-proto") ?? "http"}://${header(req, "host") ?? "127.0.0.1"}`;

export class TokenlessAuth {
  constructor(
    readonly opts: TokenlessOptions,
    private readonly store: KeystoneStore,
    private readonly tokens: TokenService,
  ) {}

  /** From [tokenless_auth]; undefined (off) without a trusted issuer, as in Keystone. A bad mapping file stops the start. */
  static fromConfig(config: Config, store: KeystoneStore, tokens: TokenService): TokenlessAuth | undefined {
    const issuers = trustedIssuers(config);
    if (issuers.length === 0) return undefined;
    const file = tokenlessOption(config, "mapping_file");
    let rules = DEFAULT_X509_RULES;
    if (file) {
      try {
        rules = parseRules(JSON.parse(readFileSync(file, "utf8")));
      } catch (e) {
        throw new Error(`[tokenless_auth] mapping_file ${file}: ${(e as Error).message}`);
      }
    }
    const protocol = tokenlessOption(config, "protocol");
    const issuerAttribute = tokenlessOption(config, "issuer_attribute");
    return new TokenlessAuth({ trustedIssuers: issuers, protocol, issuerAttribute, rules }, store, tokens);
  }

  /** The request's SSL_CLIENT_* attributes (none unless the handshake verified a client certificate). */
  environ(req: HttpRequest): Record<string, string> {
    let env = req.environ.ssl_client as Record<string, string> | undefined;
    if (!env) {
      env = sslClientEnviron(req.raw?.socket);
      req.environ.ssl_client = env;
    }
    return env;
  }

  /** Keystone's _validate_trusted_issuer: the certificate's issuer is one of trusted_issuer. */
  trusted(req: HttpRequest): boolean {
    const issuer = this.environ(req)[this.opts.issuerAttribute];
    if (!issuer) return false;
    if (this.opts.trustedIssuers.some((t) => normalizeDn(t) === normalizeDn(issuer))) return true;
    log.info(`The client issuer ${issuer} does not match with the trusted issuer ${this.opts.trustedIssuers.join("; ")}`);
    return false;
  }

  /** The identity provider id Keystone files the mapping under: sha256 (hex) of the issuer attribute. */
  identityProviderId(req: HttpRequest): string {
    return createHash("sha256")
      .update(this.environ(req)[this.opts.issuerAttribute] ?? "")
      .digest("hex");
  }

  /** TokenlessAuthHelper.get_mapped_user for a local user. */
  mappedUser(req: HttpRequest): User {
    const mapped = mapUser(this.opts.rules, this.environ(req));
    if (mapped?.type === "ephemeral")
      throw unauthorized(baseUrl(req), 'The mapping gives an ephemeral user; only local users ("type": "local") are supported here.');
    const { identity, resource } = this.store;
    let user: User | undefined;
    if (mapped?.id) {
      user = identity.findUser(mapped.id);
      if (!user) throw notFound("user", mapped.id);
    } else if (mapped?.name && (mapped.domain?.id || mapped.domain?.name)) {
      const domain = mapped.domain.id
        ? resource.findDomain(mapped.domain.id)
        : findBy(() => resource.getDomainByName(mapped.domain?.name as string));
      if (!domain) throw notFound("domain", (mapped.domain.id ?? mapped.domain.name) as string);
      if (!domain.enabled) throw unauthorized(baseUrl(req), `Domain is disabled: ${domain.id}.`);
      user = findBy(() => identity.getUserByName(mapped.name as string, domain.id));
      if (!user) throw notFound("user", mapped.name);
    } else {
      throw validation(
        "User auth cannot be built due to missing either user id, or user name with domain id, or user name with domain name.",
      );
    }
    if (!user.enabled) throw unauthorized(baseUrl(req), `User is disabled: ${user.id}.`);
    return user;
  }

  /** TokenlessAuthHelper._build_scope_info + AuthInfo's lookups: the scope the headers name. */
  scope(req: HttpRequest): Scope {
    const { resource } = this.store;
    const projectId = header(req, "x-project-id");
    const projectName = header(req, "x-project-name");
    const domainOf = (id?: string, name?: string): Domain => {
      const d = id ? resource.findDomain(id) : findBy(() => resource.getDomainByName(name as string));
      if (!d) throw unauthorized(baseUrl(req), `Could not find domain: ${id ?? name}.`);
      if (!d.enabled) throw unauthorized(baseUrl(req), `Domain is disabled: ${d.id}.`);
      return d;
    };
    if (projectId || projectName) {
      let project: Project | undefined;
      if (projectId) project = resource.findProject(projectId);
      else {
        const domainId = header(req, "x-project-domain-id");
        const domainName = header(req, "x-project-domain-name");
        if (!domainId && !domainName) throw validation("Neither Project Domain ID nor Project Domain Name was provided.");
        const domain = domainOf(domainId, domainName);
        project = findBy(() => resource.getProjectByName(projectName as string, domain.id));
      }
      if (!project) throw unauthorized(baseUrl(req), `Could not find project: ${projectId ?? projectName}.`);
      if (!project.enabled) throw unauthorized(baseUrl(req), `Project is disabled: ${project.id}.`);
      return { kind: "project", project };
    }
    const domainId = header(req, "x-domain-id");
    const domainName = header(req, "x-domain-name");
    if (domainId || domainName) return { kind: "domain", domain: domainOf(domainId, domainName) };
    throw validation("Expecting to find project or domain in scope.");
  }

  /** The caller of a request without a token, as if it held one; undefined when it has no trusted certificate. */
  caller(req: HttpRequest): ValidatedToken | undefined {
    if (!this.trusted(req)) return undefined;
    const scope = this.scope(req);
    const user = this.mappedUser(req);
    const now = new Date();
    try {
      return this.tokens.describe({
        user_id: user.id,
        methods: [this.opts.protocol],
        ...(scope.kind === "project" ? { project_id: scope.project.id } : {}),
        ...(scope.kind === "domain" ? { domain_id: scope.domain.id } : {}),
        expires_at: now,
        issued_at: now,
        audit_ids: [],
      });
    } catch (e) {
      if (!(e instanceof TokenInvalid)) throw e;
      const target =
        scope.kind === "project" ? `project ${scope.project.id}` : scope.kind === "domain" ? `domain ${scope.domain.id}` : "that scope";
      throw unauthorized(baseUrl(req), `User ${user.id} has no access to ${target}.`);
    }
  }

  /**
   * The `mapped` auth method's payload for this protocol ({"identity_provider", "protocol"}): the user the
   * request's certificate maps to, or a reason it cannot authenticate (answered as a plain 401).
   */
  mappedAuth(req: HttpRequest, payload: Record<string, unknown>): User | string {
    if (payload.protocol !== this.opts.protocol) return `protocol ${String(payload.protocol)} is not ${this.opts.protocol}`;
    if (!this.trusted(req)) return "no client certificate from a trusted issuer";
    if (payload.identity_provider !== this.identityProviderId(req)) return "identity_provider is not the certificate's issuer";
    return this.mappedUser(req);
  }
}

function findBy<T>(f: () => T): T | undefined {
  try {
    return f();
  } catch {
    return undefined;
  }
}
