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
