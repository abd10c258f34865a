import { HttpError } from "../../common/http/errors.js";
import { jsonBody } from "../../common/http/router.js";
import { type HttpRequest, json } from "../../common/http/types.js";
import { type Enforcer, PolicyNotAuthorized } from "../../common/policy/index.js";
import { TokenInvalid } from "../token/index.js";
import type { Authenticator } from "../auth/authenticate.js";
import type { TokenService, ValidatedToken } from "../auth/token-service.js";
import type { TokenlessAuth } from "../auth/tokenless.js";
import { forbidden, invalidField, missing, unauthorized, validation } from "../errors.js";
import type { KeystoneStore } from "../store.js";

/** Everything a Keystone API handler works with. */
export interface KeystoneContext {
  store: KeystoneStore;
  tokens: TokenService;
  authenticator: Authenticator;
  enforcer: Enforcer;
  /** X.509 tokenless authorization; absent when [tokenless_auth] trusts no issuer. */
  tokenless?: TokenlessAuth;
}

type Dict = Record<string, unknown>;

/** http://host:port of this request, for links and WWW-Authenticate. */
export function hostUrl(req: HttpRequest): string {
  const proto = (req.headers["x-forwarded-proto"] as string | undefined) ?? "http";
  return `${proto}://${req.headers.host ?? "127.0.0.1"}`;
}
/** Base of the v3 API as the client reached it: http://host:port/v3. */
export const v3Url = (req: HttpRequest): string => `${hostUrl(req)}${req.scriptName}`;

export const links = (req: HttpRequest, path: string) => ({ self: `${v3Url(req)}${path}` });

/** A collection answer: `{name: [...], links: {self, previous, next}}`. */
export function collection(req: HttpRequest, name: string, items: unknown[]): Dict {
  const q = req.query.toString();
  return { [name]: items, links: { self: `${v3Url(req)}${req.path}${q ? `?${q}` : ""}`, previous: null, next: null } };
}

/** A 200 answer listing `items` as `view` renders each: `{name: [...], links}`. */
export function listAnswer<T>(req: HttpRequest, name: string, items: T[], view: (req: HttpRequest, item: T) => unknown) {
  return json(
    200,
    collection(
      req,
      name,
      items.map((item) => view(req, item)),
    ),
  );
}

/** The token from X-Auth-Token, validated; 401 when absent or invalid. */
export async function callerToken(ctx: KeystoneContext, req: HttpRequest): Promise<ValidatedToken> {
  const cached = req.environ.keystone_token as ValidatedToken | undefined;
  if (cached) return cached;
  const raw = req.headers["x-auth-token"];
  if (typeof raw !== "string" || raw === "") {
    // No token: a verified client certificate from a trusted issuer may stand in for one.
    const tokenless = ctx.tokenless?.caller(req);
    if (!tokenless) throw unauthorized(hostUrl(req));
    req.environ.keystone_token = tokenless;
    req.environ.user_id = tokenless.user.id;
    return tokenless;
  }
  try {
    const v = await ctx.tokens.validate(raw);
    req.environ.keystone_token = v;
    req.environ.user_id = v.user.id;
    return v;
  } catch (e) {
    if (e instanceof TokenInvalid) throw unauthorized(hostUrl(req));
    throw e;
  }
}

/** oslo.context's policy credentials for a validated token. */
export function credsOf(v: ValidatedToken): Dict {
  const creds: Dict = {
    user_id: v.user.id,
    user_domain_id: v.user.domain_id,
    roles: v.roles.map((r) => r.name),
    is_admin_project: v.isAdminProject ?? true,
    token: { user: { id: v.user.id, domain: { id: v.user.domain_id } } } as Dict,
  };
  const token = creds.token as Dict;
  if (v.scope.kind === "project") {
    creds.project_id = v.scope.project.id;
    creds.project_domain_id = v.scope.project.domain_id;
    token.project = { id: v.scope.project.id, domain: { id: v.scope.project.domain_id } };
  } else if (v.scope.kind === "domain") {
    creds.domain_id = v.scope.domain.id;
    token.domain = { id: v.scope.domain.id };
  } else if (v.scope.kind === "system") {
    creds.system_scope = "all";
    creds.system = "all";
    token.system = { all: true };
  }
  return creds;
}

/**
 * Keystone's RBACEnforcer.enforce_call: validate the caller's token, then run the policy with the
 * target as `target.<kind>` plus the URL's path parameters at the top level. Returns the caller.
 */
export async function enforce(ctx: KeystoneContext, req: HttpRequest, action: string, target: Dict = {}): Promise<ValidatedToken> {
  const caller = await callerToken(ctx, req);
  try {
    ctx.enforcer.authorize(action, { ...req.params, target }, credsOf(caller));
  } catch (e) {
    if (e instanceof PolicyNotAuthorized) throw forbidden(action);
    throw e;
  }
  return caller;
}

/** The request body's `key` object (e.g. `{"project": {...}}`), 400 when missing or malformed. */
export async function bodyObject(req: HttpRequest, key: string): Promise<Dict> {
  let body: Dict;
  try {
    body = await jsonBody(req);
  } catch (e) {
    if (e instanceof HttpError && e.status === 400) throw validation("Expecting to find valid JSON in request body.");
    throw e;
  }
  const obj = body[key];
  if (obj === undefined) throw missing(key, "request body");
  if (typeof obj !== "object" || obj === null || Array.isArray(obj))
    throw invalidField(key, `${JSON.stringify(obj)} is not of type 'object'`);
  return obj as Dict;
}

/** Schema checks Keystone's JSON schemas do, with their wording. */
export function requireString(obj: Dict, field: string, opts: { max?: number } = {}): string {
  const v = obj[field];
  if (v === undefined) throw validation(`'${field}' is a required property.`);
  if (typeof v !== "string") throw invalidField(field, `${JSON.stringify(v)} is not of type 'string'`);
  if (v.trim() === "") throw invalidField(field, `'${v}' is too short`);
  if (opts.max && v.length > opts.max) throw invalidField(field, `'${v}' is too long`);
  return v;
}
export function optionalString(obj: Dict, field: string): string | undefined | null {
  const v = obj[field];
  if (v === undefined || v === null) return v as undefined | null;
  if (typeof v !== "string") throw invalidField(field, `${JSON.stringify(v)} is not of type 'string'`);
  return v;
}
export function optionalBool(obj: Dict, field: string): boolean | undefined {
  const v = obj[field];
  if (v === undefined) return undefined;
  if (typeof v !== "boolean") throw invalidField(field, `${JSON.stringify(v)} is not of type 'boolean'`);
  return v;
}
/** Refuse fields a client must not set (id, links…). */
export function readOnly(obj: Dict, fields: string[]): void {
  for (const f of fields)
    if (f in obj && f !== "links") throw invalidField(f, `Additional properties are not allowed ('${f}' was unexpected)`);
}

/** Keystone's boolean query filter: 0/false/no/off (any case) are false, anything else true. */
export function boolQuery(req: HttpRequest, name: string): boolean | undefined {
  const v = req.query.get(name);
  if (v === null) return undefined;
  return !["0", "false", "no", "off", "f", "n"].includes(v.toLowerCase());
}
export const strQuery = (req: HttpRequest, name: string): string | undefined => req.query.get(name) ?? undefined;
