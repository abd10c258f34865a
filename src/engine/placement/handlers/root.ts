import { MAX_VERSION, MIN_VERSION } from "../microversion.js";
import { type Call, ok } from "./call.js";

/** GET /: the version document (no authentication needed, as placement's auth middleware skips '/'). */
export function versionsHandler(c: Call) {
  return ok(c, {
    versions: [
      { id: `v${MIN_VERSION}`, max_version: MAX_VERSION, min_version: MIN_VERSION, status: "CURRENT", links: [{ rel: "self", href: "" }] },
    ],
  });
}
