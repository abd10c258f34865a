import { existsSync, readFileSync } from "node:fs";
import { homedir } from "node:os";
import { join, resolve } from "node:path";
import { parse as parseYaml } from "yaml";
import { layout, stateDir as defaultStateDir } from "../engine/common/paths.js";
import { ClientConfigError } from "./errors.js";

/** Everything needed to authenticate and pick endpoints, in clouds.yaml's own vocabulary. */
export interface AuthConfig {
  auth_url: string;
  auth_type?: string;
  username?: string;
  user_id?: string;
  password?: string;
  user_domain_name?: string;
  user_domain_id?: string;
  project_name?: string;
  project_id?: string;
  project_domain_name?: string;
  project_domain_id?: string;
  domain_name?: string;
  domain_id?: string;
  /** "all" for a system-scoped token. */
  system_scope?: string;
  application_credential_id?: string;
  application_credential_name?: string;
  application_credential_secret?: string;
  token?: string;
  region_name?: string;
  interface?: string;
  cacert?: string;
  /** Client certificate and key files (clouds.yaml cert/key, OS_CERT/OS_KEY), for servers that require one. */
  cert?: string;
  key?: string;
  insecure?: boolean;
}

export interface ResolvedAuth {
  auth: AuthConfig;
  /** Where the settings came from, for error messages: "clouds.yaml cloud 'x' (path)", "environment", … */
  source: string;
}

export interface ResolveOptions {
  /** Explicit settings (--os-* flags); win over every other source, field by field. */
  explicit?: Partial<AuthConfig>;
  /** --os-cloud (else OS_CLOUD). */
  cloud?: string;
  env?: NodeJS.ProcessEnv;
  /** The local cloud's state dir (else POCKETSTACK_HOME, else ~/.pocketstack). */
  stateDir?: string;
  cwd?: string;
  home?: string;
}

/** The name the local cloud's own profile goes by in `<state dir>/clouds.yaml`. */
export const LOCAL_CLOUD = "pocketstack";

const ENV_KEYS: Record<string, keyof AuthConfig> = {
  OS_AUTH_URL: "auth_url",
  OS_AUTH_TYPE: "auth_type",
  OS_USERNAME: "username",
  OS_USER_ID: "user_id",
  OS_PASSWORD: "password",
  OS_USER_DOMAIN_NAME: "user_domain_name",
  OS_USER_DOMAIN_ID: "user_domain_id",
  OS_PROJECT_NAME: "project_name",
  OS_TENANT_NAME: "project_name",
  OS_PROJECT_ID: "project_id",
  OS_TENANT_ID: "project_id",
  OS_PROJECT_DOMAIN_NAME: "project_domain_name",
  OS_PROJECT_DOMAIN_ID: "project_domain_id",
  OS_DOMAIN_NAME: "domain_name",
  OS_DOMAIN_ID: "domain_id",
  OS_SYSTEM_SCOPE: "system_scope",
  OS_APPLICATION_CREDENTIAL_ID: "application_credential_id",
  OS_APPLICATION_CREDENTIAL_NAME: "application_credential_name",
  OS_APPLICATION_CREDENTIAL_SECRET: "application_credential_secret",
  OS_TOKEN: "token",
  OS_REGION_NAME: "region_name",
  OS_INTERFACE: "interface",
  OS_ENDPOINT_TYPE: "interface",
  OS_CACERT: "cacert",
  OS_CERT: "cert",
  OS_KEY: "key",
};

/** clouds.yaml files in the order the openstack client searches them, then the local cloud's. */
export function cloudsYamlPaths(opts: ResolveOptions = {}): string[] {
  const env = opts.env ?? process.env;
  const home = opts.home ?? homedir();
  const paths = [
    env.OS_CLIENT_CONFIG_FILE,
    join(opts.cwd ?? process.cwd(), "clouds.yaml"),
    join(home, ".config", "openstack", "clouds.yaml"),
    "/etc/openstack/clouds.yaml",
    layout(localStateDir(opts)).cloudsYaml,
  ].filter((p): p is string => Boolean(p));
  return [...new Set(paths.map((p) => resolve(p)))];
}

function localStateDir(opts: ResolveOptions): string {
  const env = opts.env ?? process.env;
  return opts.stateDir ?? defaultStateDir(env.POCKETSTACK_HOME);
}

function readClouds(file: string): Record<string, Record<string, unknown>> {
  let doc: unknown;
  try {
    doc = parseYaml(readFileSync(file, "utf8"));
  } catch (err) {
    throw new ClientConfigError(`${file} is not valid YAML: ${(err as Error).message.split("\n")[0]}`);
  }
  const clouds = (doc as { clouds?: unknown } | null)?.clouds;
  if (clouds === undefined || clouds === null) return {};
  if (typeof clouds !== "object") throw new ClientConfigError(`${file}: 'clouds' must be a mapping of cloud names`);
  return clouds as Record<string, Record<string, unknown>>;
}

/** One cloud entry (auth + region/interface/cacert beside it) as an AuthConfig. */
function fromCloudEntry(entry: Record<string, unknown>, where: string): Partial<AuthConfig> {
  if (!entry || typeof entry !== "object") throw new ClientConfigError(`${where} is not a mapping`);
  const auth = (entry.auth ?? {}) as Record<string, unknown>;
  if (typeof auth !== "object") throw new ClientConfigError(`${where}: 'auth' must be a mapping`);
  const out: Partial<AuthConfig> = {};
  for (const [k, v] of Object.entries(auth)) if (v !== null && v !== undefined) (out as Record<string, unknown>)[k] = String(v);
  const str = (k: string) => (entry[k] === undefined || entry[k] === null ? undefined : String(entry[k]));
  out.auth_type = str("auth_type") ?? out.auth_type;
  out.region_name = str("region_name") ?? out.region_name;
  out.interface = str("interface") ?? out.interface;
  out.cacert = str("cacert") ?? out.cacert;
  out.cert = str("cert") ?? out.cert;
  out.key = str("key") ?? out.key;
  if (entry.verify === false || entry.insecure === true) out.insecure = true;
  if (Array.isArray(entry.regions) && !out.region_name) {
    const r = entry.regions[0] as unknown;
    out.region_name = typeof r === "string" ? r : String((r as { name?: string })?.name ?? "");
  }
  return out;
}

/** Find a named cloud in the first clouds.yaml that has it. */
export function findCloud(name: string, opts: ResolveOptions = {}): ResolvedAuth {
  const searched = cloudsYamlPaths(opts);
  for (const file of searched) {
    if (!existsSync(file)) continue;
    const clouds = readClouds(file);
    const entry = clouds[name];
    if (entry) return { auth: fromCloudEntry(entry, `${file}: cloud '${name}'`) as AuthConfig, source: `cloud '${name}' in ${file}` };
  }
  throw new ClientConfigError(`Cloud ${name} was not found (looked in ${searched.join(", ")}).`);
}

export function fromEnv(env: NodeJS.ProcessEnv): Partial<AuthConfig> {
  const out: Partial<AuthConfig> = {};
  for (const [name, key] of Object.entries(ENV_KEYS)) {
    const v = env[name];
    if (v !== undefined && v !== "" && (out as Record<string, unknown>)[key] === undefined) (out as Record<string, unknown>)[key] = v;
  }
  return out;
}

const defined = (o: Partial<AuthConfig> = {}) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined && v !== ""));

/**
 * Where to authenticate, like the openstack client decides it: explicit flags win field by field over
 * the one base source, which is the named cloud (--os-cloud / OS_CLOUD) if any, else the OS_*
 * environment if it names an auth URL, else the local cloud's profile in `<state dir>/clouds.yaml`.
 * Sources are not mixed (an OS_PASSWORD never leaks into a named cloud's settings).
 */
export function resolveAuth(opts: ResolveOptions = {}): ResolvedAuth {
  const env = opts.env ?? process.env;
  const explicit = defined(opts.explicit);
  const cloud = opts.cloud ?? (env.OS_CLOUD || undefined);
  let base: ResolvedAuth;
  if (cloud) base = findCloud(cloud, opts);
  else if (env.OS_AUTH_URL || explicit.auth_url) base = { auth: fromEnv(env) as AuthConfig, source: "environment (OS_*)" };
  else {
    const file = layout(localStateDir(opts)).cloudsYaml;
    if (!existsSync(file))
      throw new ClientConfigError(
        `Missing value auth-url required for auth plugin password: set OS_AUTH_URL (or --os-auth-url), pick a cloud with --os-cloud, or start the local cloud (os cloud up) so ${file} exists.`,
      );
    const entry = readClouds(file)[LOCAL_CLOUD];
    if (!entry) throw new ClientConfigError(`${file} has no cloud named '${LOCAL_CLOUD}'`);
    base = { auth: fromCloudEntry(entry, `${file}: cloud '${LOCAL_CLOUD}'`) as AuthConfig, source: `local cloud profile ${file}` };
  }
  const auth = { ...defined(base.auth), ...explicit } as unknown as AuthConfig;
  if (!auth.auth_url)
    throw new ClientConfigError(`Missing value auth-url required for auth plugin password (settings from ${base.source})`);
  auth.interface = normalizeInterface(auth.interface);
  return { auth, source: Object.keys(explicit).length ? `${base.source} + command line` : base.source };
}

/** keystoneauth accepts "publicURL" and friends; the catalog says "public". */
export function normalizeInterface(i: string | undefined): string {
  const v = (i ?? "public").replace(/URL$/, "").toLowerCase();
  if (!["public", "internal", "admin"].includes(v)) throw new ClientConfigError(`interface '${i}' is not one of public, internal, admin`);
  return v;
}

/** The identity v3 root of an auth URL: `http://h:5000` and `http://h:5000/v3/` both give `http://h:5000/v3`. */
export function identityRoot(authUrl: string): string {
  const u = authUrl.replace(/\/+$/, "");
  return /\/v3$/.test(u) ? u : `${u.replace(/\/v2\.0$/, "")}/v3`;
}
