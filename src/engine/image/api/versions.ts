import { type App, json } from "../../common/http/types.js";

/**
 * Glance's version document: the v2 minor versions a single-store deployment without an image cache
 * announces (2.15 CURRENT, then 2.9 and 2.7 … 2.0 SUPPORTED), each linking to `/v2/`. `GET /versions`
 * is an explicit request and answers 200; anything else that reaches it answers 300 Multiple Choices.
 */
const VERSIONS: Array<[string, string]> = [
  ["2.15", "CURRENT"],
  ["2.9", "SUPPORTED"],
  ["2.7", "SUPPORTED"],
  ["2.6", "SUPPORTED"],
  ["2.5", "SUPPORTED"],
  ["2.4", "SUPPORTED"],
  ["2.3", "SUPPORTED"],
  ["2.2", "SUPPORTED"],
  ["2.1", "SUPPORTED"],
  ["2.0", "SUPPORTED"],
];

export function versionsApp(publicEndpoint?: string): App {
  return async (req) => {
    const base = (publicEndpoint || `http://${req.headers.host ?? "127.0.0.1"}`).replace(/\/+$/, "");
    const versions = VERSIONS.map(([id, status]) => ({ id: `v${id}`, status, links: [{ rel: "self", href: `${base}/v2/` }] }));
    const explicit = req.path.replace(/\/+$/, "") === "/versions";
    return json(explicit ? 200 : 300, { versions });
  };
}
