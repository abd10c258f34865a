import { HttpError } from "../common/http/errors.js";
import type { HttpRequest } from "../common/http/types.js";

/**
 * Placement microversions: 1.0 … 1.39. A request names one in `OpenStack-API-Version: placement 1.x`
 * (or `latest`); without it, it gets the minimum. Every response says which version served it.
 */
export const MIN_MINOR = 0;
export const MAX_MINOR = 39;
export const MIN_VERSION = `1.${MIN_MINOR}`;
export const MAX_VERSION = `1.${MAX_MINOR}`;
export const VERSION_HEADER = "openstack-api-version";
export const SERVICE_TYPE = "placement";

export class Microversion {
  constructor(
    readonly major: number,
    readonly minor: number,
  ) {}
  /** True when this version is at least major.minor (microversion_parse's `matches(min)`). */
  at(minor: number, major = 1): boolean {
    return this.major > major || (this.major === major && this.minor >= minor);
  }
  /** True when min <= this <= max. */
  between(minMinor: number, maxMinor: number): boolean {
    return this.at(minMinor) && !this.at(maxMinor + 1);
  }
  toString(): string {
    return `${this.major}.${this.minor}`;
  }
}

/** The `placement …` value among a comma-separated OpenStack-API-Version header, if any. */
function requestedValue(header: string | string[] | undefined): string | undefined {
  const all = Array.isArray(header) ? header.join(",") : header;
  if (!all) return undefined;
  for (const part of all.split(",")) {
    const [service, ...rest] = part.trim().split(/\s+/);
    if (service?.toLowerCase() === SERVICE_TYPE) return rest.join(" ");
  }
  return undefined;
}

/** Parse the request's version: 400 for a malformed string, 406 for one outside min…max. */
export function negotiate(req: HttpRequest): Microversion {
  const value = requestedValue(req.headers[VERSION_HEADER]);
  if (value === undefined) return new Microversion(1, MIN_MINOR);
  if (value === "latest") return new Microversion(1, MAX_MINOR);
  const m = /^(\d+)\.(\d+)$/.exec(value);
  if (!m) throw new HttpError(400, `Invalid microversion: invalid version string: ${value}`);
  const v = new Microversion(Number(m[1]), Number(m[2]));
  if (v.major !== 1 || v.minor < MIN_MINOR || v.minor > MAX_MINOR) throw new HttpError(406, `Unacceptable version header: ${value}`);
  return v;
}

export const versionHeaders = (v: Microversion | undefined): Record<string, string> => ({
  [VERSION_HEADER]: `${SERVICE_TYPE} ${v ?? MIN_VERSION}`,
  vary: VERSION_HEADER,
});
