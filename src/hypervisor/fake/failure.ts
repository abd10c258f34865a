// Failure injection for the fake driver, so reschedules and faults can be tested without a broken host:
//   image property  fake_fail_spawn=true          (or fake_fail_spawn_hosts=compute1,compute2)
//   flavor extra spec fake:fail_spawn=true         (or fake:fail_spawn_hosts=compute1)
// `*_hosts` fails only on the listed nodes, so a reschedule to an alternate can succeed.
import type { ImageMeta, Instance } from "../driver.js";

const truthy = (v: unknown) => (typeof v === "string" ? /^(true|yes|on|1)$/i.test(v.trim()) : v === true);

function imageProperty(image: ImageMeta, key: string): unknown {
  // Nova's image dict keeps custom properties under `properties`; Glance v2 JSON has them at top level.
  return image.properties?.[key] ?? image[key];
}

function hostList(v: unknown): string[] {
  return typeof v === "string"
    ? v
        .split(",")
        .map((h) => h.trim())
        .filter(Boolean)
    : [];
}

/** Why spawn must fail on this host, or null. */
export function injectedSpawnFailure(instance: Instance, image: ImageMeta, host: string): string | null {
  const specs = instance.flavor?.extra_specs ?? {};
  if (truthy(imageProperty(image, "fake_fail_spawn"))) return "spawn failed: image property fake_fail_spawn=true (injected failure)";
  if (truthy(specs["fake:fail_spawn"])) return "spawn failed: flavor extra spec fake:fail_spawn=true (injected failure)";
  if (hostList(imageProperty(image, "fake_fail_spawn_hosts")).includes(host))
    return `spawn failed on ${host}: image property fake_fail_spawn_hosts (injected failure)`;
  if (hostList(specs["fake:fail_spawn_hosts"]).includes(host))
    return `spawn failed on ${host}: flavor extra spec fake:fail_spawn_hosts (injected failure)`;
  return null;
}
