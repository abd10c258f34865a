import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { os } from "../helpers/cli.js";
import { isolatedPorts } from "../helpers/ports.js";

// `os cloud up --tls`: every API over HTTPS with the lab CA, the CA in clouds.yaml, and the real client verifying it.
const dir = mkdtempSync(join(tmpdir(), "ps-tls-cloud-"));
let sets: string[] = [];
let keystonePort = 0;

const run = (cmd: string, args: string[], env: NodeJS.ProcessEnv = {}) =>
  new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile(cmd, args, { env: { ...process.env, ...env }, timeout: 60_000 }, (err, stdout, stderr) =>
      resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
const which = (bin: string) => (process.env.PATH ?? "").split(":").some((d) => {
  try {
    readFileSync(join(d, bin));
    return true;
  } catch {
    return false;
  }
});

beforeAll(async () => {
  sets = await isolatedPorts();
  keystonePort = Number(sets.find((s) => s.startsWith("api.keystone_port="))?.split("=")[1]);
  const up = await os(["cloud", "up", "--tls", "--driver", "fake", "--computes", "1", "--state-dir", dir, ...sets.flatMap((s) => ["--set", s])], {}, 240_000);
  expect(up.code, up.stderr).toBe(0);
}, 300_000);

afterAll(async () => {
  await os(["cloud", "down", "--state-dir", dir]);
}, 60_000);

describe("os cloud up --tls", () => {
  it("records TLS in pocketstack.conf and the CA in clouds.yaml; the catalog is https", async () => {
    expect(readFileSync(join(dir, "pocketstack.conf"), "utf8")).toMatch(/\[ssl\]\s*\nenabled = true/);
    expect(readFileSync(join(dir, "clouds.yaml"), "utf8")).toContain(`cacert: ${join(dir, "ca", "ca.crt")}`);
    const cat = await os(["endpoint", "list", "-f", "json", "--state-dir", dir], { POCKETSTACK_HOME: dir });
    expect(cat.code, cat.stderr).toBe(0);
    const urls = (JSON.parse(cat.stdout) as Array<{ URL: string }>).map((e) => e.URL);
    expect(urls.length).toBeGreaterThanOrEqual(12);
    for (const u of urls) expect(u).toMatch(/^https:\/\//);
  });

  it("openssl verifies the served chain against the lab CA", async () => {
    const r = await run("sh", ["-c", `openssl s_client -connect 127.0.0.1:${keystonePort} -CAfile ${join(dir, "ca", "ca.crt")} </dev/null`]);
    expect(r.stdout).toMatch(/Verify return code: 0 \(ok\)/);
  });

  it.skipIf(!which("openstack"))("the real openstack client issues a token over HTTPS with the CA from clouds.yaml", async () => {
    const env = { OS_CLIENT_CONFIG_FILE: join(dir, "clouds.yaml"), OS_CLOUD: "pocketstack" };
    const r = await run("openstack", ["token", "issue", "-f", "value", "-c", "user_id"], env);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.trim()).toMatch(/^[0-9a-f]{32}$/);
  });

  it("a server builds across HTTPS service-to-service calls (nova-api → glance/placement, compute → placement)", async () => {
    const r = await os(["server", "create", "--flavor", "m1.tiny", "--image", "cirros", "--wait", "tlsvm", "-f", "json", "--state-dir", dir], { POCKETSTACK_HOME: dir }, 120_000);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).status).toBe("ACTIVE");
  });
});
