import { mkdtempSync, rmSync } from "node:fs";
import type { Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import "../../src/engine/common/http/filters.js";
import "../../src/engine/common/auth/index.js";
import { placementEnforcer } from "../../src/engine/placement/app.js";
import { type Db, migrate, openDatabase } from "../../src/engine/common/db/database.js";
import { loadApp } from "../../src/engine/common/http/paste.js";
import { serve } from "../../src/engine/common/http/server.js";
import { fixturesDir } from "../../src/engine/common/paths.js";
import { PLACEMENT_MIGRATIONS } from "../../src/engine/placement/db/migrations.js";

export interface Placement {
  url: string;
  db: Db;
  dir: string;
  close(): Promise<void>;
}

/** Placement in this process: a fresh database, the shipped api-paste.ini with noauth2, port 0. */
export async function startPlacement(opts: { policy?: Record<string, string> } = {}): Promise<Placement> {
  const dir = mkdtempSync(join(tmpdir(), "placement-test-"));
  const db = openDatabase(join(dir, "placement.sqlite"));
  migrate(db, PLACEMENT_MIGRATIONS);
  const app = await loadApp(join(fixturesDir, "placement", "api-paste.ini"), "main", {
    error_format: "placement",
    service_name: "placement",
    auth_strategy: "noauth2",
    placement_db: db,
    placement_enforcer: placementEnforcer(undefined, opts.policy),
  });
  const server: Server = await serve(app, 0);
  const addr = server.address();
  const port = typeof addr === "object" && addr ? addr.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    db,
    dir,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
      db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface Reply {
  status: number;
  headers: Headers;
  // biome-ignore lint/suspicious/noExplicitAny: tests read arbitrary JSON bodies
  body: any;
}

/** A client the way nova's report client talks to placement: admin token, a chosen microversion. */
export function client(base: string, defaults: { version?: string; token?: string } = {}) {
  return async (
    method: string,
    path: string,
    body?: unknown,
    opts: { version?: string; token?: string | null; headers?: Record<string, string> } = {},
  ): Promise<Reply> => {
    const headers: Record<string, string> = { accept: "application/json", ...(opts.headers ?? {}) };
    const version = opts.version ?? defaults.version;
    if (version) headers["openstack-api-version"] = `placement ${version}`;
    const token = opts.token === undefined ? (defaults.token ?? "admin:admin") : opts.token;
    if (token) headers["x-auth-token"] = token;
    if (body !== undefined && !headers["content-type"]) headers["content-type"] = "application/json";
    const res = await fetch(`${base}${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
    });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {}
    return { status: res.status, headers: res.headers, body: parsed };
  };
}
