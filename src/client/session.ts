import { createHash } from "node:crypto";
import type { IncomingMessage } from "node:http";
import { Readable } from "node:stream";
import { layout, stateDir as defaultStateDir } from "../engine/common/paths.js";
import { type AuthConfig, type ResolveOptions, identityRoot, resolveAuth } from "./auth-config.js";
import { AuthRef, type TokenBody } from "./auth-ref.js";
import { ApiError, ClientConfigError, apiError } from "./errors.js";
import { TokenCache } from "./token-cache.js";
import { type Body, type RawResponse, Transport } from "./transport.js";

export interface SessionOptions {
  auth: AuthConfig;
  /** Where the token cache lives (`<dir>/run/token-cache.json`); default: the local state dir. */
  stateDir?: string;
  /** false: never read or write the token cache (services keep their token in memory only). */
  cache?: boolean | TokenCache;
  transport?: Transport;
  userAgent?: string;
}

/** A decoded JSON body: callers read the fields they know, as the OpenStack API reference lists them. */
// biome-ignore lint/suspicious/noExplicitAny: response documents are untyped JSON
export type JsonBody = any;

export type Query = Record<string, string | number | boolean | undefined | null | string[]>;

export interface RequestOptions {
  /** A plain object is sent as JSON; a string, Buffer or stream as is. */
  body?: unknown;
  headers?: Record<string, string>;
  query?: Query;
  /** e.g. "2.79": adds `OpenStack-API-Version: <type> 2.79` (and Nova's legacy header for compute). */
  microversion?: string;
  interface?: string;
  region?: string;
  /** Return the body as a stream (downloads). */
  stream?: boolean;
  /** Send without X-Auth-Token (version documents). */
  noAuth?: boolean;
}

export interface ApiResponse<T = unknown> {
  status: number;
  headers: IncomingMessage["headers"];
  /** Parsed JSON, else the raw bytes (undefined for an empty body). */
  body: T;
  requestId?: string;
  stream?: IncomingMessage;
}

/**
 * An authenticated conversation with a cloud (keystoneauth's Session + plugin): gets a token from
 * `POST /v3/auth/tokens` (password, token or application credential), reuses a cached one while it is
 * fresh, finds services in the catalog, and turns every non-2xx into one ApiError.
 */
export class Session {
  readonly auth: AuthConfig;
  private readonly transport: Transport;
  private readonly cache?: TokenCache;
  private readonly userAgent: string;
  private current?: AuthRef;
  private pending?: Promise<AuthRef>;

  constructor(opts: SessionOptions) {
    this.auth = opts.auth;
    this.transport = opts.transport ?? Transport.fromFiles(opts.auth);
    if (opts.cache instanceof TokenCache) this.cache = opts.cache;
    else if (opts.cache !== false) this.cache = new TokenCache(layout(opts.stateDir ?? defaultStateDir()).tokenCache);
    this.userAgent = opts.userAgent ?? "pocketstack-client";
  }

  /** A session from --os-* flags, --os-cloud/clouds.yaml, OS_* variables or the local cloud's profile. */
  static fromEnvironment(opts: ResolveOptions & { cache?: boolean } = {}): Session {
    const { auth } = resolveAuth(opts);
    return new Session({ auth, stateDir: opts.stateDir ?? defaultStateDir((opts.env ?? process.env).POCKETSTACK_HOME), cache: opts.cache });
  }

  get identityUrl(): string {
    return identityRoot(this.auth.auth_url);
  }

  /** The current token and its body, authenticating (or reading the cache) when needed. */
  async authRef(): Promise<AuthRef> {
    if (this.current && Date.parse(this.current.expiresAt) - 30_000 > Date.now()) return this.current;
    this.pending ??= this.authenticate().finally(() => {
      this.pending = undefined;
    });
    return this.pending;
  }

  async token(): Promise<string> {
    return (await this.authRef()).token;
  }

  /** Forget the token (memory and cache), e.g. after the server rejected it. */
  invalidate(): void {
    this.current = undefined;
    this.cache?.delete(this.cacheKey());
  }

  /** Base URL of a service from the catalog (identity falls back to the auth URL, as keystoneauth does). */
  async endpointFor(serviceType: string, opts: { interface?: string; region?: string } = {}): Promise<string> {
    const ref = await this.authRef();
    const iface = opts.interface ?? this.auth.interface ?? "public";
    const region = opts.region ?? this.auth.region_name;
    if (serviceType === "identity") {
      try {
        return identityRoot(ref.endpointFor("identity", iface, region));
      } catch {
        return this.identityUrl;
      }
    }
    return ref.endpointFor(serviceType, iface, region);
  }

  async request<T = JsonBody>(service: string, method: string, path: string, opts: RequestOptions = {}): Promise<ApiResponse<T>> {
    const base = /^https?:\/\//.test(service) ? service.replace(/\/+$/, "") : await this.endpointFor(service, opts);
    const url = base + path + queryString(opts.query);
    const { body, contentType } = encodeBody(opts.body);
    const headers: Record<string, string> = {
      accept: "application/json",
      "user-agent": this.userAgent,
      ...(contentType ? { "content-type": contentType } : {}),
    };
    if (opts.microversion) {
      const type = /^https?:/.test(service) ? "compute" : service;
      headers["openstack-api-version"] = `${type} ${opts.microversion}`;
      if (type === "compute") headers["x-openstack-nova-api-version"] = opts.microversion;
    }
    Object.assign(headers, opts.headers ?? {});
    const send = async () => {
      if (!opts.noAuth) headers["x-auth-token"] = await this.token();
      return this.transport.send(method, url, headers, body, opts.stream);
    };
    let res = await send();
    // A token revoked or expired early: authenticate once more and retry (not possible for a consumed stream).
    if (res.status === 401 && !opts.noAuth && !(body instanceof Readable)) {
      this.invalidate();
      res = await send();
    }
    return toApiResponse<T>(res);
  }

  get<T = JsonBody>(service: string, path: string, opts: RequestOptions = {}) {
    return this.request<T>(service, "GET", path, opts);
  }
  post<T = JsonBody>(service: string, path: string, body?: unknown, opts: RequestOptions = {}) {
    return this.request<T>(service, "POST", path, { ...opts, body });
  }
  put<T = JsonBody>(service: string, path: string, body?: unknown, opts: RequestOptions = {}) {
    return this.request<T>(service, "PUT", path, { ...opts, body });
  }
  patch<T = JsonBody>(service: string, path: string, body?: unknown, opts: RequestOptions = {}) {
    return this.request<T>(service, "PATCH", path, { ...opts, body });
  }
  delete<T = JsonBody>(service: string, path: string, opts: RequestOptions = {}) {
    return this.request<T>(service, "DELETE", path, opts);
  }

  close(): void {
    this.transport.close();
  }

  private async authenticate(): Promise<AuthRef> {
    const key = this.cacheKey();
    const hit = this.cache?.get(key);
    if (hit) {
      this.current = new AuthRef(hit.token, hit.body as TokenBody);
      return this.current;
    }
    const url = `${this.identityUrl}/auth/tokens`;
    const payload = JSON.stringify(authRequestBody(this.auth));
    const res = await this.transport.send(
      "POST",
      url,
      { "content-type": "application/json", accept: "application/json", "user-agent": this.userAgent },
      payload,
    );
    if (res.status < 200 || res.status >= 300) throw apiError(res.status, res.statusText, res.body, res.headers);
    const token = res.headers["x-subject-token"];
    let doc: { token?: TokenBody };
    try {
      doc = JSON.parse(res.body.toString("utf8"));
    } catch {
      throw new ApiError(`Invalid token response from ${url}`, res.status, undefined, "invalid token response", undefined);
    }
    if (typeof token !== "string" || !doc.token)
      throw new ApiError(`No X-Subject-Token in the response from ${url}`, res.status, undefined, "no token", doc);
    this.current = new AuthRef(token, doc.token);
    this.cache?.put(key, { token, expires_at: doc.token.expires_at, body: doc.token });
    return this.current;
  }

  private cacheKey(): string {
    const a = this.auth;
    const secret = a.password ?? a.application_credential_secret ?? a.token ?? "";
    return TokenCache.key({
      auth_url: this.identityUrl,
      username: a.username,
      user_id: a.user_id,
      user_domain: a.user_domain_id ?? a.user_domain_name,
      app_cred: a.application_credential_id ?? a.application_credential_name,
      project: a.project_id ?? a.project_name,
      project_domain: a.project_domain_id ?? a.project_domain_name,
      domain: a.domain_id ?? a.domain_name,
      system: a.system_scope,
      secret: createHash("sha256").update(secret).digest("hex"),
    });
  }
}

/**
 * The body of POST /v3/auth/tokens for these settings. Like the openstack client, a user or project
 * named without a domain is looked up in the "default" domain (--os-default-domain).
 */
export function authRequestBody(a: AuthConfig): Record<string, unknown> {
  const domainRef = (id?: string, name?: string) => (id ? { id } : name ? { name } : { id: "default" });
  let identity: Record<string, unknown>;
  const type =
    a.auth_type ??
    (a.application_credential_id || a.application_credential_name
      ? "v3applicationcredential"
      : a.token && !a.password
        ? "v3token"
        : "password");
  if (/applicationcredential/.test(type)) {
    if (!a.application_credential_secret)
      throw new ClientConfigError("Missing value application-credential-secret required for auth plugin v3applicationcredential");
    const cred: Record<string, unknown> = { secret: a.application_credential_secret };
    if (a.application_credential_id) cred.id = a.application_credential_id;
    else if (a.application_credential_name) {
      cred.name = a.application_credential_name;
      cred.user = a.user_id ? { id: a.user_id } : { name: a.username, domain: domainRef(a.user_domain_id, a.user_domain_name) };
    } else throw new ClientConfigError("Missing value application-credential-id required for auth plugin v3applicationcredential");
    // An application credential carries its own scope: asking for another one is an error in Keystone.
    return { auth: { identity: { methods: ["application_credential"], application_credential: cred } } };
  }
  if (/token/.test(type)) {
    if (!a.token) throw new ClientConfigError("Missing value token required for auth plugin token");
    identity = { methods: ["token"], token: { id: a.token } };
  } else {
    if (!a.username && !a.user_id) throw new ClientConfigError("Missing value username required for auth plugin password");
    if (a.password === undefined) throw new ClientConfigError("Missing value password required for auth plugin password");
    const user = a.user_id
      ? { id: a.user_id, password: a.password }
      : { name: a.username, domain: domainRef(a.user_domain_id, a.user_domain_name), password: a.password };
    identity = { methods: ["password"], password: { user } };
  }
  const auth: Record<string, unknown> = { identity };
  if (a.system_scope) auth.scope = { system: { all: true } };
  else if (a.project_id) auth.scope = { project: { id: a.project_id } };
  else if (a.project_name)
    auth.scope = { project: { name: a.project_name, domain: domainRef(a.project_domain_id, a.project_domain_name) } };
  else if (a.domain_id) auth.scope = { domain: { id: a.domain_id } };
  else if (a.domain_name) auth.scope = { domain: { name: a.domain_name } };
  return { auth };
}

function queryString(q?: Query): string {
  if (!q) return "";
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(q)) {
    if (v === undefined || v === null) continue;
    for (const item of Array.isArray(v) ? v : [v]) params.append(k, String(item));
  }
  const s = params.toString();
  return s ? `?${s}` : "";
}

function encodeBody(b: unknown): { body: Body; contentType?: string } {
  if (b === undefined) return { body: undefined };
  if (typeof b === "string" || Buffer.isBuffer(b)) return { body: b, contentType: "application/octet-stream" };
  if (b instanceof Readable) return { body: b, contentType: "application/octet-stream" };
  return { body: JSON.stringify(b), contentType: "application/json" };
}

function toApiResponse<T>(res: RawResponse): ApiResponse<T> {
  const rid = res.headers["x-openstack-request-id"] ?? res.headers["x-compute-request-id"];
  const requestId = Array.isArray(rid) ? rid[0] : rid;
  if (res.status < 200 || res.status >= 300) throw apiError(res.status, res.statusText, res.body, res.headers);
  if (res.stream) return { status: res.status, headers: res.headers, body: undefined as T, requestId, stream: res.stream };
  let body: unknown;
  if (res.body.length > 0) {
    const ct = String(res.headers["content-type"] ?? "");
    if (ct.includes("json")) {
      try {
        body = JSON.parse(res.body.toString("utf8"));
      } catch {
        body = res.body;
      }
    } else body = res.body;
  }
  return { status: res.status, headers: res.headers, body: body as T, requestId };
}
