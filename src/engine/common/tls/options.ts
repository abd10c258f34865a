// The [ssl] configuration section. Lives here until it is spread into config/schema.ts (`ssl: SSL_OPTIONS`);
// sslOption() reads it from a Config either way, falling back to these defaults while the schema lacks it.
import { join } from "node:path";
import type { Config, Value } from "../config/config.js";
import type { OptionSpec } from "../config/schema.js";
import type { Layout } from "../paths.js";

export const SSL_OPTIONS: Record<string, OptionSpec> = {
  enabled: {
    type: "bool",
    default: false,
    help: "Serve every API and the noVNC proxy over HTTPS with certificates from the lab CA (as `os cloud up --tls`).",
  },
  ca_dir: { type: "string", default: "", help: "Directory of the lab certificate authority (default: <state dir>/ca)." },
  verify_client: {
    type: "list",
    default: [],
    help: "Services that require a client certificate from the lab CA (mutual TLS, nginx's ssl_verify_client on): names such as keystone,glance, or all.",
  },
  cert_days: { type: "int", default: 365, help: "Days the service certificates issued by `os cloud up` stay valid.", min: 1 },
};

export function sslOption<T extends Value>(config: Config, option: keyof typeof SSL_OPTIONS & string): T {
  if (config.schema.ssl?.[option]) return config.get<T>("ssl", option);
  return (SSL_OPTIONS[option] as OptionSpec).default as T;
}

export function caDirOf(config: Config, l: Layout): string {
  const dir = sslOption<string>(config, "ca_dir");
  return dir ? dir : join(l.root, "ca");
}

/** Does this service demand client certificates? */
export function verifiesClients(config: Config, service: string): boolean {
  const list = sslOption<string[]>(config, "verify_client").map((s) => s.toLowerCase());
  return list.includes("all") || list.includes("true") || list.includes(service.toLowerCase());
}

/**
 * Keystone's [tokenless_auth] (keystone.conf.tokenless_auth) plus where the mapping comes from: Keystone
 * looks it up through OS-FEDERATION (identity provider = sha256 of the issuer DN, protocol x509), which
 * pocketstack does not have, so the rules are read from a file in the same JSON language.
 */
export const TOKENLESS_AUTH_OPTIONS: Record<string, OptionSpec> = {
  trusted_issuer: {
    type: "string",
    default: "",
    help: "Distinguished names of the issuers whose client certificates may be used for X.509 tokenless authorization, as Apache's SSL_CLIENT_I_DN writes them (RFC 2253: `O=pocketstack,CN=pocketstack Intermediate CA`, what `openssl x509 -noout -subject -nameopt RFC2253` prints); several separated by `;` (keystone repeats the option). Empty: tokenless authorization is off.",
  },
  protocol: {
    type: "string",
    default: "x509",
    help: "Federation protocol id of tokenless authorization: the auth method a tokenless caller has, and the `protocol` a `mapped` token request names.",
  },
  issuer_attribute: {
    type: "string",
    default: "SSL_CLIENT_I_DN",
    help: "Request attribute that holds the client certificate's issuer (compared with trusted_issuer).",
  },
  mapping_file: {
    type: "string",
    default: "",
    help: "JSON mapping rules (Keystone's federation mapping language, the file `openstack mapping create --rules` takes) from the certificate's SSL_CLIENT_* attributes to a local user. Empty: the subject's CN is the name of a user in the Default domain.",
  },
};

/** [tokenless_auth] option, with the defaults above while the schema lacks the section. */
export function tokenlessOption(config: Config, option: keyof typeof TOKENLESS_AUTH_OPTIONS & string): string {
  if (config.schema.tokenless_auth?.[option]) return config.str("tokenless_auth", option);
  return String((TOKENLESS_AUTH_OPTIONS[option] as OptionSpec).default);
}

/** The trusted issuers' DNs (empty: tokenless authorization off). */
export function trustedIssuers(config: Config): string[] {
  return tokenlessOption(config, "trusted_issuer")
    .split(";")
    .map((s) => s.trim())
    .filter(Boolean);
}
