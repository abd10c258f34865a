import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { createReadStream, mkdtempSync, readFileSync, statSync } from "node:fs";
import { type Server, createServer } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadConfig } from "../../../src/engine/common/config/config.js";
import type { DriverOptions, Flavor, Instance } from "../../../src/hypervisor/driver.js";

export function hasCommand(cmd: string): boolean {
  try {
    execFileSync("sh", ["-c", `command -v ${cmd}`], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

export const tmp = (prefix: string) => mkdtempSync(join(tmpdir(), prefix));

export function driverOptions(stateDir: string, host = "compute1"): DriverOptions {
  return { host, stateDir, config: loadConfig(undefined) };
}

export const tinyFlavor: Flavor = {
  flavorid: "1",
  name: "m1.tiny",
  vcpus: 1,
  memory_mb: 256,
  root_gb: 1,
  ephemeral_gb: 0,
  swap: 0,
  extra_specs: {},
};

export function makeInstance(fields: Partial<Instance> & { uuid: string }): Instance {
  return {
    name: "instance-00000001",
    display_name: "vm1",
    hostname: "vm1",
    project_id: "p1",
    user_id: "u1",
    image_ref: "img-1",
    flavor: tinyFlavor,
    vm_state: "building",
    task_state: "spawning",
    power_state: 0,
    host: "compute1",
    node: "compute1",
    ...fields,
  };
}

/** An ssh keypair from ssh-keygen, with the fingerprint as Nova computes it (MD5 of the key blob). */
export function sshKey(dir: string): { publicKey: string; md5: string } {
  const f = join(dir, "key");
  execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", "test@pocketstack", "-f", f]);
  const publicKey = readFileSync(`${f}.pub`, "utf8").trim();
  const blob = Buffer.from(publicKey.split(" ")[1] as string, "base64");
  const md5 = (createHash("md5").update(blob).digest("hex").match(/../g) as string[]).join(":");
  return { publicKey, md5 };
}

/** A stand-in for Glance's image data API: GET/PUT /v2/images/{id}/file for the files it is given. */
export async function fakeGlance(
  images: Record<string, string>,
): Promise<{ server: Server; url: string; uploads: Map<string, number>; downloads: string[] }> {
  const uploads = new Map<string, number>();
  const downloads: string[] = [];
  const server = createServer((req, res) => {
    const m = /^\/v2\/images\/([^/]+)\/file$/.exec(req.url ?? "");
    if (!m || req.headers["x-auth-token"] !== "tok") {
      res.writeHead(m ? 401 : 404).end();
      return;
    }
    const id = m[1] as string;
    if (req.method === "PUT") {
      let n = 0;
      req.on("data", (c: Buffer) => (n += c.length));
      req.on("end", () => {
        uploads.set(id, n);
        res.writeHead(204).end();
      });
      return;
    }
    const file = images[id];
    if (!file) {
      res.writeHead(404).end();
      return;
    }
    downloads.push(id);
    res.writeHead(200, { "content-type": "application/octet-stream", "content-length": statSync(file).size });
    createReadStream(file).pipe(res);
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  const addr = server.address() as { port: number };
  return { server, url: `http://127.0.0.1:${addr.port}`, uploads, downloads };
}

export const md5File = (file: string) => createHash("md5").update(readFileSync(file)).digest("hex");

export async function waitFor<T>(
  what: string,
  fn: () => Promise<T | undefined | false> | T | undefined | false,
  timeoutMs: number,
  everyMs = 500,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
