import { existsSync } from "node:fs";
import { type AuthConfig, LOCAL_CLOUD, findCloud } from "../../../client/auth-config.js";
import { localUrl } from "../urls.js";
import { type Config, loadConfig } from "../config/config.js";
import type { GlobalConf, LocalConf } from "../http/types.js";
import { layout, stateDir } from "../paths.js";
import { serviceClientTls } from "../tls/client-identity.js";

export interface AuthtokenSettings {
  /**
   * The service user's credentials for validating tokens, read on first use: `os cloud up` writes the
   * local profile only once Keystone answers, possibly after this service loaded its pipeline.
   */
  service: () => AuthConfig;
  /** What goes in `WWW-Authenticate: Keystone uri="…"`. */
  wwwAuthenticateUri: string;
  cacheSeconds: number;
  /** Pass unauthenticated requests on (X-Identity-Status: Invalid) and let the app decide. */
  delayAuthDecision: boolean;
  stateDir: string;
}

const isConfig = (c: unknown): c is Config => typeof (c as Config | undefined)?.str === "function";

/**
 * authtoken's settings: pocketstack.conf [keystone_authtoken] (the Config the service passes as
 * `global.config`, else the state dir's file), overridden by options in the paste [filter:authtoken]
 * section, as keystonemiddleware allows. Without a service password the local cloud's own profile
 * (<state dir>/clouds.yaml) is used, so a fresh cloud works before any service user exists.
 */
export function authtokenSettings(global: GlobalConf, local: LocalConf): AuthtokenSettings {
  const dir = typeof global.state_dir === "string" ? global.state_dir : stateDir();
  const config = isConfig(global.config) ? global.config : loadConfig(layout(dir).config);
  const opt = (name: string) => local[name] ?? config.str("keystone_authtoken", name);
  const keystonePort = config.int("api", "keystone_port");
  const authUrl = opt("auth_url") || `${localUrl(config, keystonePort)}/v3`;

  const password = opt("password");
  // The CA to trust and the client certificate to present when Keystone asks for one (mutual TLS).
  const withTls = (auth: AuthConfig): AuthConfig => ({ ...auth, ...serviceClientTls(config, layout(dir)) });
  const service = (): AuthConfig => withTls(serviceAuth());
  const serviceAuth = (): AuthConfig => {
    if (password)
      return {
        auth_url: authUrl,
        username: opt("username") || opt("service_user"),
        password,
        project_name: opt("project_name"),
        user_domain_name: opt("user_domain_name"),
        project_domain_name: opt("project_domain_name"),
      };
    const profile = layout(dir).cloudsYaml;
    if (!existsSync(profile)) throw new Error(`[keystone_authtoken] password is not set and ${profile} does not exist`);
    const auth = { ...findCloud(LOCAL_CLOUD, { stateDir: dir, cwd: dir, home: dir, env: {} }).auth };
    if (local.auth_url || config.str("keystone_authtoken", "auth_url")) auth.auth_url = authUrl;
    return auth;
  };
  const explicitUrl = local.auth_url || config.str("keystone_authtoken", "auth_url");
  const www = opt("www_authenticate_uri") || (explicitUrl || authUrl).replace(/\/+$/, "").replace(/\/v3$/, "");
  const cache = Number(opt("token_cache_time"));
  return {
    service,
    wwwAuthenticateUri: www,
    cacheSeconds: Number.isFinite(cache) ? cache : 300,
    delayAuthDecision: /^(true|yes|on|1)$/i.test(local.delay_auth_decision ?? ""),
    stateDir: dir,
  };
}
