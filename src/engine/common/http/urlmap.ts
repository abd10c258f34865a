import type { App } from "./types.js";

/**
 * Dispatch on the longest matching URL prefix (Paste's urlmap): `/v2.1/servers` goes to the app mounted
 * at `/v2.1`, which then sees path `/servers` and scriptName `/v2.1`. `/` catches the rest.
 */
export function urlmap(mounts: Array<[string, App]>): App {
  const sorted = mounts
    .map(([prefix, app]) => [prefix.replace(/\/+$/, ""), app] as [string, App])
    .sort((a, b) => b[0].length - a[0].length);
  return async (req) => {
    for (const [prefix, app] of sorted) {
      if (prefix === "" || req.path === prefix || req.path.startsWith(`${prefix}/`)) {
        const rest = req.path.slice(prefix.length) || "/";
        return app({ ...req, path: rest, scriptName: req.scriptName + prefix });
      }
    }
    return { status: 404, headers: { "content-type": "text/plain" }, body: "404 Not Found\n" };
  };
}
