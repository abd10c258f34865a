import type { Config } from "../common/config/config.js";
import { sslOption } from "../common/tls/options.js";

/**
 * [vnc] novncproxy_base_url, or its default: noVNC's page on this cloud's proxy, https:// when the proxy
 * serves TLS ([ssl] enabled), as Nova's default follows the proxy it points at.
 */
export function novncBaseUrl(config: Config): string {
  const explicit = config.str("vnc", "novncproxy_base_url");
  if (explicit) return explicit;
  const scheme = sslOption<boolean>(config, "enabled") ? "https" : "http";
  return `${scheme}://${config.str("DEFAULT", "my_ip")}:${config.int("vnc", "novncproxy_port")}/vnc_lite.html`;
}
