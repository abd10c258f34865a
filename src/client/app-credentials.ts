import type { JsonBody } from "./session.js";
import { ApiError } from "./errors.js";
import { CommandError, type Entity } from "./identity.js";
import type { Session } from "./session.js";

/** The caller's own application credentials (/v3/users/{me}/application_credentials). */
export async function findAppCredential(session: Session, userId: string, nameOrId: string): Promise<Entity> {
  const base = `/users/${userId}/application_credentials`;
  try {
    return (await session.get("identity", `${base}/${encodeURIComponent(nameOrId)}`)).body.application_credential;
  } catch (err) {
    if (!(err instanceof ApiError) || err.status !== 404) throw err;
  }
  const found: Entity[] = (await session.get("identity", base, { query: { name: nameOrId } })).body.application_credentials ?? [];
  const exact = found.filter((c) => c.name === nameOrId);
  if (exact.length > 1) throw new CommandError(`More than one applicationcredential exists with the name '${nameOrId}'.`);
  if (exact.length === 0) throw new CommandError(`No applicationcredential with a name or ID of '${nameOrId}' exists.`);
  return exact[0] as Entity;
}

/** show/create print the roles as their names joined by spaces. */
export function appCredentialView(c: Record<string, JsonBody>): Record<string, JsonBody> {
  const out: Record<string, JsonBody> = { ...c, roles: (c.roles ?? []).map((r: { name: string }) => r.name).join(" ") };
  delete out.links;
  return Object.fromEntries(
    Object.keys(out)
      .sort()
      .map((k) => [k, out[k]]),
  );
}
