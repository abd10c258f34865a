import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import type { Server } from "node:http";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import "../../src/engine/common/auth/index.js";
import "../../src/engine/common/http/filters.js";
import "../../src/engine/compute/api/app.js";
import { loadConfig } from "../../src/engine/common/config/config.js";
import type { Db } from "../../src/engine/common/db/database.js";
import { loadAppFromString } from "../../src/engine/common/http/paste.js";
import { serve } from "../../src/engine/common/http/server.js";
import { createNovaApi } from "../../src/engine/compute/api/app.js";
import type { NovaApi } from "../../src/engine/compute/api/nova-api.js";
import type { CellMapping } from "../../src/engine/compute/cells/mappings.js";
import { closeAllDbs } from "../../src/engine/compute/db/open.js";
import { novaFirstStart } from "../../src/engine/compute/db/first-start.js";
import { type Instance, createInstance } from "../../src/engine/compute/objects/instance.js";

const root = resolve(import.meta.dirname, "../..");

/**
 * nova-api in this process (its real paste pipeline with noauth2, on a free port) over databases the
 * test fills directly: for what the API does with rows (lists, views, admin actions), without a bus or
 * computes. Tokens are `user:project` (`admin:admin` is an admin).
 */
export interface InProcessNova {
  api: NovaApi;
  cell1: CellMapping;
  cell1Db: Db;
  cell0: CellMapping;
  cell0Db: Db;
  /** Put an instance row (and its instance mapping) in a cell. */
  addInstance(i: Partial<Instance> & { uuid: string }, cell?: "cell0" | "cell1"): Instance;
  req(
    token: string,
    method: string,
    path: string,
    body?: unknown,
    microversion?: string,
  ): Promise<{ status: number; text: string; body: any }>;
  close(): Promise<void>;
}

const FLAVOR = {
  flavorid: "1",
  name: "m1.tiny",
  vcpus: 1,
  memory_mb: 512,
  root_gb: 1,
  ephemeral_gb: 0,
  swap: 0,
  extra_specs: {},
  description: null,
};

export async function startInProcessNova(overrides: string[] = []): Promise<InProcessNova> {
  const dir = mkdtempSync(join(tmpdir(), "nova-inproc-"));
  const config = loadConfig(undefined, [
    "trace.enabled=false",
    "api.auth_strategy=noauth2",
    "DEFAULT.transport_url=zmq://127.0.0.1:1",
    ...overrides,
  ]);
  novaFirstStart(dir, config);
  const api = createNovaApi(config, dir);
  const cell1 = api.cells.byName("cell1") as CellMapping;
  const cell0 = api.cells.cell0();
  const paste = readFileSync(join(root, "fixtures/nova/api-paste.ini"), "utf8");
  const app = await loadAppFromString(paste, "main", {
    config,
    state_dir: dir,
    error_format: "nova",
    auth_strategy: "noauth2",
    service_name: "nova",
    max_request_body_size: 114688,
    nova_api: api,
  });
  const server: Server = await serve(app, 0, "127.0.0.1");
  const port = (server.address() as { port: number }).port;
  return {
    api,
    cell1,
    cell1Db: api.cells.db(cell1),
    cell0,
    cell0Db: api.cells.db(cell0),
    addInstance(i, cell = "cell1") {
      const mapping = cell === "cell0" ? cell0 : cell1;
      const inst = createInstance(api.cells.db(mapping), {
        display_name: `vm-${i.uuid.slice(-4)}`,
        project_id: "p1",
        user_id: "u1",
        image_ref: "img-1",
        flavor: FLAVOR,
        vm_state: "active",
        task_state: null,
        power_state: 1,
        host: "compute1",
        node: "compute1",
        locked: false,
        metadata: {},
        system_metadata: {},
        ...i,
      } as Instance);
      api.apiDb
        .prepare("INSERT INTO instance_mappings (instance_uuid, cell_id, project_id, user_id, created_at) VALUES (?, ?, ?, ?, ?)")
        .run(inst.uuid, mapping.id, inst.project_id, inst.user_id, inst.created_at);
      return inst;
    },
    async req(token, method, path, body, microversion) {
      const headers: Record<string, string> = { "x-auth-token": token, accept: "application/json" };
      if (microversion) headers["openstack-api-version"] = `compute ${microversion}`;
      if (body !== undefined) headers["content-type"] = "application/json";
      const r = await fetch(`http://127.0.0.1:${port}/v2.1${path}`, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await r.text();
      let parsed: unknown;
      try {
        parsed = text ? JSON.parse(text) : undefined;
      } catch {
        parsed = text;
      }
      return { status: r.status, text, body: parsed };
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((res) => server.close(() => res()));
      closeAllDbs();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A fixed uuid per number, so orders and markers are easy to read in a test. */
export const uuidOf = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, "0")}`;
