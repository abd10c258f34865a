import { HttpError } from "../common/http/errors.js";

// Keystone's exception messages (keystone.exception), so clients that match on text keep working.
const CLIENT_FAULT =
  "The server could not comply with the request since it is either malformed or otherwise incorrect. The client is assumed to be in error.";

export const notFound = (kind: string, id: string) => new HttpError(404, `Could not find ${kind}: ${id}.`);

export const validation = (detail: string) => new HttpError(400, `${detail} ${CLIENT_FAULT}`);

/** "Expecting to find X in Y." — Keystone's ValidationError for a missing attribute. */
export const missing = (attribute: string, target: string) => validation(`Expecting to find ${attribute} in ${target}.`);

/** Keystone's SchemaValidationError text for a field of the wrong type or value. */
export const invalidField = (field: string, why: string) => validation(`Invalid input for field '${field}': ${why}`);

export const conflict = (kind: string, detail: string) => new HttpError(409, `Conflict occurred attempting to store ${kind} - ${detail}.`);

export const forbidden = (action: string) => new HttpError(403, `You are not authorized to perform the requested action: ${action}.`);

export const forbiddenMsg = (message: string) => new HttpError(403, message);

/** 401 with WWW-Authenticate pointing at this Keystone, as keystone's error handler adds. */
export function unauthorized(baseUrl: string, message = "The request you have made requires authentication."): HttpError {
  return new HttpError(401, message, { headers: { "www-authenticate": `Keystone uri="${baseUrl}"` } });
}
