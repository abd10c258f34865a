import type { JsonBody } from "./session.js";
import type { CatalogEndpoint } from "./auth-ref.js";

/** Python's strftime('%Y-%m-%dT%H:%M:%S%z') of Keystone's expires_at (always UTC): 2026-01-01T10:00:00+0000. */
export function expiresText(expiresAt: string): string {
  const d = new Date(expiresAt);
  if (Number.isNaN(d.getTime())) return expiresAt;
  return `${d.toISOString().slice(0, 19)}+0000`;
}

/** The openstack client's Endpoints cell: per endpoint a region line, then "  interface: url". */
export function endpointsCell(endpoints: CatalogEndpoint[]): string {
  return endpoints.map((ep) => `${ep.region_id || ep.region || "<none>"}\n  ${ep.interface}: ${ep.url}\n`).join("");
}

/** --property key=value (repeatable) as an object; a malformed one is an error naming it. */
export function parseProperties(items: string[] | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const item of items ?? []) {
    const eq = item.indexOf("=");
    if (eq <= 0) throw new Error(`Expected 'key=value' for --property, got '${item}'`);
    out[item.slice(0, eq)] = item.slice(eq + 1);
  }
  return out;
}

/** Ask for a secret on the terminal (no echo); without a terminal, say which flag to use instead. */
export async function readSecret(prompt: string): Promise<string> {
  if (!process.stdin.isTTY) throw new Error(`${prompt.replace(/:$/, "")} is required: give it as a flag (no terminal to prompt on)`);
  const { createInterface } = await import("node:readline");
  process.stderr.write(prompt);
  const rl = createInterface({ input: process.stdin, terminal: true });
  (rl as unknown as { _writeToOutput: (s: string) => void })._writeToOutput = () => {};
  return new Promise((resolve) =>
    rl.question("", (answer) => {
      rl.close();
      process.stderr.write("\n");
      resolve(answer);
    }),
  );
}

/** Prior and implied role IDs from the role list, matched by name or ID; a miss names the role. */
export function priorAndImplied(roles: Array<{ id: string; name?: string }>, prior: string, implied: string): [string, string] {
  const idOf = (x: string) => {
    const r = roles.find((role) => role.name === x || role.id === x);
    if (!r) throw new Error(`No role with a name or ID of '${x}' exists.`);
    return r.id;
  };
  return [idOf(prior), idOf(implied)];
}

/** `region show/create`: the openstack client renames id → region and parent_region_id → parent_region. */
export function regionView(r: Record<string, JsonBody>): Record<string, JsonBody> {
  const out: Record<string, JsonBody> = { ...r, region: r.id, parent_region: r.parent_region_id ?? null };
  delete out.id;
  delete out.parent_region_id;
  delete out.links;
  return Object.fromEntries(
    Object.keys(out)
      .sort()
      .map((k) => [k, out[k]]),
  );
}

/** `policy show/create`: the blob is shown as `rules`. */
export function policyView(p: Record<string, JsonBody>): Record<string, JsonBody> {
  const out: Record<string, JsonBody> = { ...p, rules: p.blob };
  delete out.blob;
  delete out.links;
  return Object.fromEntries(
    Object.keys(out)
      .sort()
      .map((k) => [k, out[k]]),
  );
}
