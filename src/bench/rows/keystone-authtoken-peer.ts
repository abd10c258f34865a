// A service that does nothing but sit behind authtoken (src/engine/common/auth): the keystone bench's
// cached-validation row. argv: <keystone port> <admin password>. Prints {"port": …} when listening.
import type { AddressInfo } from "node:net";
import { authtokenFilter } from "../../engine/common/auth/authtoken.js";
import { loadConfig } from "../../engine/common/config/config.js";
import { serve } from "../../engine/common/http/server.js";
import { json } from "../../engine/common/http/types.js";

const [keystonePort, password] = process.argv.slice(2);
if (!keystonePort || !password) throw new Error("usage: keystone-authtoken-peer <keystone port> <admin password>");
const global = { error_format: "nova", service_name: "bench", config: loadConfig(undefined, ["trace.enabled=false"]) };
const filter = authtokenFilter(global, {
  auth_url: `http://127.0.0.1:${keystonePort}/v3`,
  username: "admin",
  password,
  project_name: "admin",
  user_domain_name: "Default",
  project_domain_name: "Default",
});
const server = await serve(
  filter(async () => json(200, { ok: true })),
  0,
);
process.stdout.write(`${JSON.stringify({ port: (server.address() as AddressInfo).port })}\n`);
