import { HttpError } from "../../common/http/errors.js";
import type { App, HttpRequest } from "../../common/http/types.js";

export const MIN_MINOR = 1;
export const MAX_MINOR = 79;
export const MIN_VERSION = `2.${MIN_MINOR}`;
export const MAX_VERSION = `2.${MAX_MINOR}`;

/** The request's compute microversion, as a comparable minor number (2.x → x). */
export const minorOf = (req: HttpRequest): number => (req.environ.api_minor as number | undefined) ?? MIN_MINOR;
export const atLeast = (req: HttpRequest, minor: number): boolean => minorOf(req) >= minor;

function header(req: HttpRequest, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v.join(",") : v;
}

/** The version a request asks for: `OpenStack-API-Version: compute 2.x` wins over `X-OpenStack-Nova-API-Version`. */
export function requestedVersion(req: HttpRequest): string | undefined {
  const modern = header(req, "openstack-api-version");
  if (modern) {
    for (const part of modern.split(",")) {
      const [service, version] = part.trim().split(/\s+/);
      if (service?.toLowerCase() === "compute" && version) return version;
    }
  }
  return header(req, "x-openstack-nova-api-version")?.trim() || undefined;
}

/**
 * Nova's microversion negotiation: no header means 2.1, `latest` the maximum; a malformed version is 400,
 * one outside [2.1, 2.79] is 406. Every response names the version it was served with and varies on the
 * two headers.
 */
export function microversionFilter(app: App): App {
  return async (req) => {
    const asked = requestedVersion(req);
    let minor = MIN_MINOR;
    if (asked && asked.toLowerCase() === "latest") minor = MAX_MINOR;
    else if (asked) {
      const m = /^(\d+)\.(\d+)$/.exec(asked);
      if (!m) throw new HttpError(400, `API Version String ${asked} is of invalid format. Must be of format MajorNum.MinorNum.`);
      if (m[1] !== "2" || Number(m[2]) < MIN_MINOR || Number(m[2]) > MAX_MINOR)
        throw new HttpError(406, `Version ${asked} is not supported by the API. Minimum is ${MIN_VERSION} and maximum is ${MAX_VERSION}.`);
      minor = Number(m[2]);
    }
    req.environ.api_minor = minor;
    const res = await app(req);
    res.headers["openstack-api-version"] = `compute 2.${minor}`;
    res.headers["x-openstack-nova-api-version"] = `2.${minor}`;
    res.headers.vary = "OpenStack-API-Version, X-OpenStack-Nova-API-Version";
    return res;
  };
}
