import { createHash, randomUUID } from "node:crypto";
import type { RequestContext } from "../../common/context.js";
import { HttpError } from "../../common/http/errors.js";
import { utcNow } from "../db/open.js";
import type { ComputeAPI } from "./compute-api.js";
import type { FoundServer, NovaApi } from "./nova-api.js";
import { novncBaseUrl } from "../../console/base-url.js";

/** What the compute's get_vnc_console / get_serial_console answers: where the console is. */
interface ConsoleConnectInfo {
  host: string;
  port: number;
  internal_access_path?: string | null;
  access_url_base?: string | null;
}

/** [consoleauth] token_ttl's default: a console URL works for ten minutes. */
const TOKEN_TTL_SECONDS = 600;

/**
 * compute_api.get_vnc_console / get_serial_console: ask the instance's compute where its console is,
 * mint a token (a UUID, as Nova does), keep only its SHA-256 in console_auth_tokens with the connect
 * info and an expiry, and answer the URL the user opens (ConsoleAuthToken.access_url).
 */
export async function createConsoleUrl(
  api: NovaApi,
  compute: ComputeAPI,
  ctx: RequestContext,
  s: FoundServer,
  protocol: "vnc" | "serial",
  type: string,
): Promise<string> {
  if (s.instance.vm_state !== "active" || !s.db || !s.instance.host) throw new HttpError(409, `Instance ${s.instance.uuid} is not ready`);
  const method = protocol === "vnc" ? "get_vnc_console" : "get_serial_console";
  const c = await compute.callHost<ConsoleConnectInfo>(ctx, s, method, { console_type: type });
  const token = randomUUID();
  const base = c.access_url_base ?? (protocol === "vnc" ? novncBaseUrl(api.config) : `ws://${api.config.str("DEFAULT", "my_ip")}:6083/`);
  // nova-novncproxy reads tokens from cell1's database (src/engine/console/token-store.ts), whatever cell
  // the instance is in: pocketstack runs one console proxy for the whole cloud.
  const cell1 = api.cells.byName("cell1") ?? api.cells.realCells()[0];
  const db = cell1 ? api.cells.db(cell1) : s.db;
  db.prepare(
    "INSERT INTO console_auth_tokens (token_hash, console_type, host, port, internal_access_path, instance_uuid, access_url_base, expires, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
  ).run(
    createHash("sha256").update(token).digest("hex"),
    type,
    c.host,
    c.port,
    c.internal_access_path ?? null,
    s.instance.uuid,
    base,
    Math.floor(Date.now() / 1000) + TOKEN_TTL_SECONDS,
    utcNow(),
  );
  // Expired tokens are of no use to anyone (Nova's clean_expired_console_auths).
  db.prepare("DELETE FROM console_auth_tokens WHERE expires <= ?").run(Math.floor(Date.now() / 1000));
  // noVNC ≥ 1.1 takes the token inside its `path` parameter; other consoles take it as `token`.
  return type === "novnc" ? `${base}?${new URLSearchParams({ path: `?token=${token}` })}` : `${base}?token=${token}`;
}
