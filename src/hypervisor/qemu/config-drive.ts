import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { execa } from "execa";
import type { Instance, NetworkInfo } from "../driver.js";

/** What goes on the drive (nova.api.metadata.base.InstanceMetadata, reduced to what we have). */
export interface ConfigDriveContent {
  metaData: Record<string, unknown>;
  userData: Buffer | null;
  networkData: Record<string, unknown>;
}

/** openstack/latest/meta_data.json as Nova writes it: uuid, name, hostname, public_keys, keys, AZ, … */
export function configDriveContent(instance: Instance, networkInfo: NetworkInfo, dhcpDomain = "novalocal"): ConfigDriveContent {
  const keyName = instance.key_name ?? undefined;
  const keyData = instance.key_data ?? undefined;
  const publicKeys: Record<string, string> = {};
  const keys: Array<Record<string, string>> = [];
  if (keyName && keyData) {
    publicKeys[keyName] = keyData.endsWith("\n") ? keyData : `${keyData}\n`;
    keys.push({ name: keyName, type: keyData.startsWith("-----BEGIN") ? "x509" : "ssh", data: publicKeys[keyName] as string });
  }
  const hostname = instance.hostname || instance.display_name || instance.name;
  const metaData = {
    uuid: instance.uuid,
    meta: instance.metadata ?? {},
    public_keys: publicKeys,
    keys,
    hostname: dhcpDomain ? `${hostname}.${dhcpDomain}` : hostname,
    name: instance.display_name ?? instance.name,
    launch_index: Number(instance.launch_index ?? 0),
    availability_zone: (instance.availability_zone as string | undefined) ?? "nova",
    random_seed: "",
    project_id: instance.project_id ?? "",
    devices: [],
    dedicated_cpus: [],
  };
  // instance.user_data is base64 (as the API received it); the drive holds the decoded bytes
  const userData = instance.user_data ? Buffer.from(instance.user_data, "base64") : null;
  const networkData = {
    links: networkInfo.map((v, i) => ({
      id: `tap${v.id.slice(0, 11)}`,
      vif_id: v.id,
      type: "ethernet",
      ethernet_mac_address: v.address,
      mtu: 1500,
      name: `eth${i}`,
    })),
    networks: networkInfo.map((v, i) => ({
      id: `network${i}`,
      link: `tap${v.id.slice(0, 11)}`,
      type: "ipv4_dhcp",
      network_id: v.network.id,
    })),
    services: [],
  };
  return { metaData, userData, networkData };
}

/**
 * Write the tree and make the ISO9660 volume `config-2` with the genisoimage flags Nova's
 * nova/virt/configdrive.py uses (-ldots -allow-lowercase -allow-multidot -l -publisher … -quiet -J -r -V config-2).
 */
export async function makeConfigDrive(
  isoPath: string,
  workDir: string,
  content: ConfigDriveContent,
  publisher = "OpenStack Compute (pocketstack)",
): Promise<void> {
  rmSync(workDir, { recursive: true, force: true });
  const latest = join(workDir, "openstack", "latest");
  mkdirSync(latest, { recursive: true });
  mkdirSync(join(workDir, "ec2", "latest"), { recursive: true });
  const md = JSON.stringify(content.metaData);
  writeFileSync(join(latest, "meta_data.json"), md);
  writeFileSync(join(latest, "network_data.json"), JSON.stringify(content.networkData));
  writeFileSync(join(latest, "vendor_data.json"), "{}");
  writeFileSync(join(latest, "vendor_data2.json"), "{}");
  if (content.userData) writeFileSync(join(latest, "user_data"), content.userData);
  writeFileSync(join(workDir, "ec2", "latest", "meta-data.json"), md);
  try {
    await execa("genisoimage", [
      "-o",
      isoPath,
      "-ldots",
      "-allow-lowercase",
      "-allow-multidot",
      "-l",
      "-publisher",
      publisher,
      "-quiet",
      "-J",
      "-r",
      "-V",
      "config-2",
      workDir,
    ]);
  } finally {
    rmSync(workDir, { recursive: true, force: true });
  }
}
