import type { Config } from "./config/config.js";

/** http or https: every API of the local cloud is served one way ([ssl] enabled, `os cloud up --tls`). */
export function localScheme(config: Config): "http" | "https" {
  try {
    return config.bool("ssl", "enabled") ? "https" : "http";
  } catch {
    return "http";
  }
}

/** The URL one service uses to reach another on this cloud: scheme://my_ip:port. */
export function localUrl(config: Config, port: number): string {
  return `${localScheme(config)}://${config.str("DEFAULT", "my_ip")}:${port}`;
}
