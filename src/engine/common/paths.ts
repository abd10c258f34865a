import { homedir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** The state directory: --state-dir, else POCKETSTACK_HOME, else ~/.pocketstack. */
export function stateDir(flag?: string): string {
  return resolve(flag ?? process.env.POCKETSTACK_HOME ?? join(homedir(), ".pocketstack"));
}

/** The package root (where fixtures/ and dist/ live), found from this compiled file. */
export const packageRoot = resolve(fileURLToPath(new URL("../../..", import.meta.url)));
export const fixturesDir = join(packageRoot, "fixtures");

/** Where things live under a state directory (one place, so every process agrees). */
export function layout(dir: string) {
  return {
    root: dir,
    config: join(dir, "pocketstack.conf"),
    db: (name: string) => join(dir, "db", `${name}.sqlite`),
    logs: join(dir, "logs"),
    log: (service: string) => join(dir, "logs", `${service}.log`),
    run: join(dir, "run"),
    pid: (service: string) => join(dir, "run", `${service}.pid`),
    supervisorState: join(dir, "run", "supervisor.json"),
    supervisorPid: join(dir, "run", "supervisor.pid"),
    fernetKeys: join(dir, "keystone", "fernet-keys"),
    jwsKeys: join(dir, "keystone", "jws-keys"),
    images: join(dir, "images"),
    instances: join(dir, "instances"),
    cloudsYaml: join(dir, "clouds.yaml"),
    adminOpenrc: join(dir, "admin-openrc"),
    tokenCache: join(dir, "run", "token-cache.json"),
    apiPaste: (service: string) => join(dir, "etc", service, "api-paste.ini"),
    policyFile: (service: string) => join(dir, "etc", service, "policy.yaml"),
  };
}
export type Layout = ReturnType<typeof layout>;
