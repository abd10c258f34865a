import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { parse, stringify } from "yaml";
import type { Layout } from "../common/paths.js";

/** The admin profile of the local cloud, as clouds.yaml entry `pocketstack` and as admin-openrc. */
export interface AdminProfile {
  authUrl: string;
  username: string;
  password: string;
  projectName: string;
  region: string;
  cacert?: string;
  /** Client certificate and key the CLI presents to services that require one ([ssl] verify_client). */
  cert?: string;
  key?: string;
}

export function readAdminPassword(l: Layout): string | undefined {
  if (!existsSync(l.cloudsYaml)) return undefined;
  const doc = parse(readFileSync(l.cloudsYaml, "utf8")) as { clouds?: Record<string, { auth?: { password?: string } }> };
  return doc?.clouds?.pocketstack?.auth?.password;
}

/** Write clouds.yaml and admin-openrc (0600: they hold the admin password). */
export function writeAdminProfile(l: Layout, p: AdminProfile): void {
  const cloud = {
    auth: {
      auth_url: p.authUrl,
      username: p.username,
      password: p.password,
      project_name: p.projectName,
      user_domain_name: "Default",
      project_domain_name: "Default",
    },
    region_name: p.region,
    interface: "public",
    identity_api_version: 3,
    ...(p.cacert ? { cacert: p.cacert } : {}),
    ...(p.cert && p.key ? { cert: p.cert, key: p.key } : {}),
  };
  writeFileSync(
    l.cloudsYaml,
    `# The local pocketstack cloud. Use: os --os-cloud pocketstack … / openstack --os-cloud pocketstack …\n${stringify({ clouds: { pocketstack: cloud } })}`,
    {
      mode: 0o600,
    },
  );
  const env: Record<string, string> = {
    OS_AUTH_URL: p.authUrl,
    OS_USERNAME: p.username,
    OS_PASSWORD: p.password,
    OS_PROJECT_NAME: p.projectName,
    OS_USER_DOMAIN_NAME: "Default",
    OS_PROJECT_DOMAIN_NAME: "Default",
    OS_REGION_NAME: p.region,
    OS_INTERFACE: "public",
    OS_IDENTITY_API_VERSION: "3",
    ...(p.cacert ? { OS_CACERT: p.cacert } : {}),
    ...(p.cert && p.key ? { OS_CERT: p.cert, OS_KEY: p.key } : {}),
  };
  const rc = Object.entries(env)
    .map(([k, v]) => `export ${k}='${v.replace(/'/g, "'\\''")}'`)
    .join("\n");
  writeFileSync(l.adminOpenrc, `# source this file to use the local cloud with os or openstack\n${rc}\n`, { mode: 0o600 });
}
