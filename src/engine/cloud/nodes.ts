import type { Config } from "../common/config/config.js";
import { defaultNodes, nodesFile, readNodes } from "../compute/manager/node-list.js";
import { type ServiceSpec, cloudServices } from "./services.js";

export { nodesFile };

/** Every unit of this cloud, compute nodes included (from etc/nodes.json, else the configured default). */
export function allServices(dir: string, config: Config): ServiceSpec[] {
  return cloudServices(config, readNodes(dir) ?? defaultNodes(config));
}
