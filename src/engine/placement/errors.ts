import { HttpError } from "../common/http/errors.js";

/** Placement's machine-readable error codes (the `code` of an error body, from 1.23). */
export const ErrorCode = {
  DEFAULT: "placement.undefined_code",
  INVENTORY_INUSE: "placement.inventory.inuse",
  CONCURRENT_UPDATE: "placement.concurrent_update",
  DUPLICATE_NAME: "placement.duplicate_name",
  PROVIDER_IN_USE: "placement.resource_provider.inuse",
  PROVIDER_CANNOT_DELETE_PARENT: "placement.resource_provider.cannot_delete_parent",
  RESOURCE_PROVIDER_NOT_FOUND: "placement.resource_provider.not_found",
  ILLEGAL_DUPLICATE_QUERYPARAM: "placement.query.duplicate_key",
  QUERYPARAM_BAD_VALUE: "placement.query.bad_value",
  QUERYPARAM_MISSING_VALUE: "placement.query.missing_value",
} as const;

export const badRequest = (msg: string, code?: string) => new HttpError(400, msg, { code });
export const notFound = (msg: string, code?: string) => new HttpError(404, msg, { code });
export const conflict = (msg: string, code?: string) => new HttpError(409, msg, { code });
export const concurrentUpdate = (msg: string) => new HttpError(409, msg, { code: ErrorCode.CONCURRENT_UPDATE });

/** A generation check failed inside a write transaction; the handler words the 409. */
export class GenerationConflict extends Error {
  override name = "GenerationConflict";
}
