import { existsSync } from "node:fs";
import { handleLifecycle, notifyReady } from "../cloud/ready.js";
import { log } from "../common/log.js";
import { startService } from "../common/service.js";
import { caDirOf, sslOption } from "../common/tls/options.js";
import { caServeOptions } from "../common/tls/serve-options.js";
import { createConsoleProxy } from "./proxy.js";
import { DEFAULT_NOVNC_ROOT } from "./static-files.js";
import { CellDbTokenStore } from "./token-store.js";

/**
 * nova-novncproxy on [vnc] novncproxy_port: noVNC's page plus the token-checked websocket → VNC bridge.
 * Tokens are the rows nova-api writes into cell1's console_auth_tokens (read-only here).
 * Env POCKETSTACK_NOVNC_ROOT overrides where noVNC's files are (default: Debian's /usr/share/novnc).
 */
async function main(): Promise<void> {
  const rt = startService("nova-novncproxy");
  const { config, layout } = rt;
  const webRoot = process.env.POCKETSTACK_NOVNC_ROOT ?? DEFAULT_NOVNC_ROOT;
  if (!existsSync(webRoot))
    log.warning(`noVNC not found at ${webRoot} (apt-get install --no-install-recommends novnc): only the websocket proxy runs`);
  const tokens = new CellDbTokenStore(process.env.POCKETSTACK_CONSOLE_TOKEN_DB ?? layout.db("nova"));
  // [ssl] enabled: https/wss with the proxy's chain from the lab CA. Browsers open this page, so client
  // certificates are asked for only when [ssl] verify_client names novncproxy itself (not with "all").
  const secure = sslOption<boolean>(config, "enabled");
  const requestCert = sslOption<string[]>(config, "verify_client").some((s) => s.toLowerCase() === "novncproxy");
  const tls = secure ? caServeOptions(caDirOf(config, layout), "novncproxy", { requestCert }).tls : undefined;
  const server = createConsoleProxy({ tokens, webRoot: existsSync(webRoot) ? webRoot : null, tls });
  const host = config.str("DEFAULT", "my_ip");
  const port = config.int("vnc", "novncproxy_port");
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => resolve());
  });
  const address = server.address();
  const bound = typeof address === "object" && address ? address.port : port;
  log.info(
    `nova-novncproxy listening on ${secure ? "https" : "http"}://${host}:${bound} (noVNC ${existsSync(webRoot) ? webRoot : "absent"}, tokens from ${tokens.file})`,
  );
  handleLifecycle(async () => {
    server.close();
    tokens.close();
    await rt.close();
  });
  notifyReady({ port: bound });
}

main().catch((err) => {
  log.error(`nova-novncproxy failed to start: ${(err as Error)?.stack ?? err}`);
  process.exit(1);
});
