import { type ChildProcess, fork } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type KeystoneHandle, startKeystone } from "../helpers/keystone.js";
import { entryFork } from "../helpers/runtime.js";

export interface GlanceBehindKeystone {
  keystone: KeystoneHandle;
  /** http://127.0.0.1:<port> of the glance process (registered as the `image` endpoints). */
  glanceUrl: string;
  glancePid: number;
  glanceHome: string;
  /** OS_* variables for the admin user (what `admin-openrc` would export). */
  env: Record<string, string>;
  stop(): Promise<void>;
}

/**
 * A real keystone process and a real glance-api process (`api.auth_strategy=keystone`, its authtoken
 * validating with the admin user), the image service and its endpoints registered in the catalog.
 */
export async function startGlanceBehindKeystone(extraSet: string[] = []): Promise<GlanceBehindKeystone> {
  const keystone = await startKeystone();
  const glanceHome = mkdtempSync(join(tmpdir(), "glance-ks-"));
  let child: ChildProcess | undefined;
  try {
    const { modulePath, execArgv } = entryFork("src/engine/image/main.ts");
    const set = [
      "api.glance_port=0",
      "api.auth_strategy=keystone",
      "trace.enabled=false",
      `keystone_authtoken.auth_url=${keystone.url}/v3`,
      "keystone_authtoken.username=admin",
      `keystone_authtoken.password=${keystone.adminPassword}`,
      "keystone_authtoken.project_name=admin",
      ...extraSet,
    ];
    child = fork(modulePath, [], {
      execArgv,
      env: { ...process.env, POCKETSTACK_HOME: glanceHome, POCKETSTACK_SET: set.join(";") },
      stdio: ["ignore", "ignore", "pipe", "ipc"],
    });
    let stderr = "";
    child.stderr?.on("data", (d: Buffer) => {
      stderr = (stderr + d.toString()).slice(-4000);
    });
    const started = child;
    const port = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`glance did not report ready within 20 s:\n${stderr}`)), 20_000);
      started.on("message", (m: { type?: string; port?: number }) => {
        if (m.type === "ready" && m.port) {
          clearTimeout(timer);
          resolve(m.port);
        }
      });
      started.on("exit", (code) => reject(new Error(`glance exited early with ${code}:\n${stderr}`)));
    });
    const glanceUrl = `http://127.0.0.1:${port}`;
    await registerImageService(keystone, glanceUrl);
    const env = {
      OS_AUTH_URL: `${keystone.url}/v3`,
      OS_USERNAME: "admin",
      OS_PASSWORD: keystone.adminPassword,
      OS_PROJECT_NAME: "admin",
      OS_USER_DOMAIN_NAME: "Default",
      OS_PROJECT_DOMAIN_NAME: "Default",
      OS_IDENTITY_API_VERSION: "3",
      OS_REGION_NAME: "RegionOne",
      OS_INTERFACE: "public",
      OS_CLOUD: "",
    };
    const pid = child.pid ?? -1;
    return {
      keystone,
      glanceUrl,
      glancePid: pid,
      glanceHome,
      env,
      stop: async () => {
        await stopChild(started);
        await keystone.stop();
        rmSync(glanceHome, { recursive: true, force: true });
      },
    };
  } catch (err) {
    if (child) await stopChild(child);
    await keystone.stop();
    rmSync(glanceHome, { recursive: true, force: true });
    throw err;
  }
}

async function stopChild(c: ChildProcess): Promise<void> {
  if (c.exitCode !== null || c.signalCode !== null || c.pid === undefined) return;
  const exited = new Promise((r) => c.once("exit", r));
  process.kill(c.pid, "SIGTERM");
  const timer = setTimeout(() => c.exitCode === null && c.pid !== undefined && process.kill(c.pid, "SIGKILL"), 5000);
  await exited;
  clearTimeout(timer);
}

/** An admin token for direct API calls. */
export async function adminToken(keystone: KeystoneHandle): Promise<string> {
  const res = await fetch(`${keystone.url}/v3/auth/tokens`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      auth: {
        identity: {
          methods: ["password"],
          password: { user: { name: "admin", domain: { id: "default" }, password: keystone.adminPassword } },
        },
        scope: { project: { name: "admin", domain: { id: "default" } } },
      },
    }),
  });
  const token = res.headers.get("x-subject-token");
  if (res.status !== 201 || !token) throw new Error(`admin token: ${res.status} ${await res.text()}`);
  return token;
}

/** `openstack service create --name glance image` and its public/internal/admin endpoints. */
async function registerImageService(keystone: KeystoneHandle, url: string): Promise<void> {
  const token = await adminToken(keystone);
  const post = async (path: string, body: unknown) => {
    const res = await fetch(`${keystone.url}/v3${path}`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-auth-token": token },
      body: JSON.stringify(body),
    });
    if (res.status !== 201) throw new Error(`POST ${path}: ${res.status} ${await res.text()}`);
    return (await res.json()) as Record<string, any>;
  };
  const { service } = await post("/services", { service: { name: "glance", type: "image", enabled: true } });
  for (const iface of ["public", "internal", "admin"])
    await post("/endpoints", { endpoint: { service_id: service.id, interface: iface, url, region_id: "RegionOne", enabled: true } });
}
