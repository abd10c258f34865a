import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Session } from "../../src/client/session.js";
import { cloudDown, cloudUp } from "../../src/engine/cloud/control.js";
import { isolatedPorts } from "../helpers/ports.js";

export interface FullCloud {
  dir: string;
  sets: string[];
  authUrl: string;
  /** The admin profile `os cloud up` wrote (clouds.yaml `pocketstack`). */
  admin: Session;
  /** A session for a user by name and password, scoped to a project (no token cache). */
  as(username: string, password: string, project: string): Session;
  close(): Promise<void>;
}

/**
 * The whole cloud as a user gets it: `os cloud up` (cloudUp) in a temp state dir, every port isolated,
 * Keystone and all, with the fake driver on compute1 and compute2 unless `extra` says otherwise.
 */
export async function upFullCloud(extra: string[] = []): Promise<FullCloud> {
  const dir = mkdtempSync(join(tmpdir(), "nova-full-"));
  const sets = [...(await isolatedPorts()), "compute.compute_driver=fake", "compute.computes=2", ...extra];
  try {
    const { config } = await cloudUp(dir, { overrides: sets, timeoutMs: 120_000 });
    const authUrl = `http://${config.str("DEFAULT", "my_ip")}:${config.int("api", "keystone_port")}/v3`;
    const admin = Session.fromEnvironment({ stateDir: dir, cloud: "pocketstack", env: {}, cache: false });
    return {
      dir,
      sets,
      authUrl,
      admin,
      as: (username, password, project) =>
        new Session({
          auth: {
            auth_url: authUrl,
            username,
            password,
            project_name: project,
            user_domain_name: "Default",
            project_domain_name: "Default",
          },
          cache: false,
        }),
      async close() {
        await cloudDown(dir);
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    await cloudDown(dir).catch(() => undefined);
    throw err;
  }
}
