import type { IncomingHttpHeaders } from "node:http";
import type { CatalogService, TokenBody } from "../../../client/auth-ref.js";

/**
 * Headers authtoken hands to the service (keystonemiddleware's names, lower-cased as node keeps them).
 * Any of them arriving from outside is removed first, so a client cannot claim an identity.
 */
export const IDENTITY_HEADERS = [
  "x-identity-status",
  "x-user-id",
  "x-user-name",
  "x-user-domain-id",
  "x-user-domain-name",
  "x-project-id",
  "x-project-name",
  "x-project-domain-id",
  "x-project-domain-name",
  "x-domain-id",
  "x-domain-name",
  "x-roles",
  "x-service-catalog",
  "x-is-admin-project",
  "x-system-scope",
  // legacy names some services still read
  "x-user",
  "x-tenant-id",
  "x-tenant-name",
  "x-tenant",
  "x-role",
] as const;

export function stripIdentityHeaders(h: IncomingHttpHeaders): void {
  for (const name of IDENTITY_HEADERS) delete h[name];
}

/** keystonemiddleware serialises the catalog in the v2 shape (publicURL/internalURL/adminURL per region). */
export function v2Catalog(catalog: CatalogService[] = []): unknown[] {
  return catalog.map((svc) => {
    const byRegion = new Map<string, Record<string, string>>();
    for (const ep of svc.endpoints) {
      const region = ep.region_id ?? ep.region ?? "";
      const entry = byRegion.get(region) ?? (region ? { region } : {});
      entry[`${ep.interface}URL`] = ep.url;
      byRegion.set(region, entry);
    }
    return { type: svc.type, name: svc.name, endpoints: [...byRegion.values()] };
  });
}

/** The X-* headers for a validated token. */
export function identityHeaders(t: TokenBody): Record<string, string> {
  const h: Record<string, string> = {
    "x-identity-status": "Confirmed",
    "x-user-id": t.user.id,
    "x-roles": (t.roles ?? []).map((r) => r.name).join(","),
    // keystonemiddleware treats a token without the flag as from the admin project (Keystone's default).
    "x-is-admin-project": t.is_admin_project === false ? "False" : "True",
  };
  const put = (k: string, v: string | undefined) => {
    if (v !== undefined) h[k] = v;
  };
  put("x-user-name", t.user.name);
  put("x-user-domain-id", t.user.domain?.id);
  put("x-user-domain-name", t.user.domain?.name);
  if (t.project) {
    put("x-project-id", t.project.id);
    put("x-project-name", t.project.name);
    put("x-project-domain-id", t.project.domain?.id);
    put("x-project-domain-name", t.project.domain?.name);
  }
  if (t.domain) {
    put("x-domain-id", t.domain.id);
    put("x-domain-name", t.domain.name);
  }
  if (t.system?.all) h["x-system-scope"] = "all";
  if (t.catalog) h["x-service-catalog"] = JSON.stringify(v2Catalog(t.catalog));
  return h;
}
