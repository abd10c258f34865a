import { HttpError, errorResponse } from "./errors.js";
import type { App, HttpRequest, HttpResponse } from "./types.js";

export type Handler = (req: HttpRequest) => Promise<HttpResponse> | HttpResponse;
interface Route {
  method: string;
  regex: RegExp;
  keys: string[];
  handler: Handler;
}

/**
 * Maps (method, path template) to a handler, like Nova's ROUTE_LIST: `/v3/users/{user_id}`. A path that
 * matches no template is 404; a known path with another method is 405 with Allow. Handler errors
 * (HttpError) are rendered in the service's error format here, so every route answers in one style.
 */
export class Router {
  private readonly routes: Route[] = [];
  constructor(private readonly errorFormat: string) {}

  add(method: string, template: string, handler: Handler): this {
    const keys: string[] = [];
    const pattern = template.replace(/\{(\w+)\}/g, (_m, k: string) => {
      keys.push(k);
      return "([^/]+)";
    });
    this.routes.push({ method, regex: new RegExp(`^${pattern}/?$`), keys, handler });
    return this;
  }
  get = (t: string, h: Handler) => this.add("GET", t, h).add("HEAD", t, h);
  post = (t: string, h: Handler) => this.add("POST", t, h);
  put = (t: string, h: Handler) => this.add("PUT", t, h);
  patch = (t: string, h: Handler) => this.add("PATCH", t, h);
  delete = (t: string, h: Handler) => this.add("DELETE", t, h);
  head = (t: string, h: Handler) => this.add("HEAD", t, h);

  app(): App {
    return async (req) => {
      const allowed: string[] = [];
      for (const r of this.routes) {
        const m = r.regex.exec(req.path);
        if (!m) continue;
        if (r.method !== req.method) {
          allowed.push(r.method);
          continue;
        }
        req.params = Object.fromEntries(r.keys.map((k, i) => [k, unquote(m[i + 1] ?? "")]));
        try {
          const res = await r.handler(req);
          if (req.method === "HEAD") res.body = undefined;
          return res;
        } catch (err) {
          if (err instanceof HttpError) return errorResponse(err, this.errorFormat, req.environ.request_id as string);
          throw err;
        }
      }
      const err =
        allowed.length > 0
          ? new HttpError(405, `The method ${req.method} is not supported for this URL.`, {
              headers: { allow: [...new Set(allowed)].join(", ") },
            })
          : new HttpError(404, `The resource could not be found.`);
      return errorResponse(err, this.errorFormat, req.environ.request_id as string);
    };
  }
}

/** Parse a JSON request body, answering 400 (not 500) when it is not JSON or not an object. */
export async function jsonBody<T = Record<string, unknown>>(req: HttpRequest): Promise<T> {
  const buf = await req.body();
  if (buf.length === 0) throw new HttpError(400, "The request body is empty; a JSON object was expected.");
  let parsed: unknown;
  try {
    parsed = JSON.parse(buf.toString("utf8"));
  } catch (e) {
    throw new HttpError(400, `Malformed JSON in request body: ${(e as Error).message}`);
  }
  if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed))
    throw new HttpError(400, "The request body must be a JSON object.");
  return parsed as T;
}

/**
 * Percent-decode like Python's urllib.parse.unquote (what a WSGI server gives OpenStack): valid escapes
 * are decoded, a malformed one ("%", "%zz", a broken UTF-8 sequence) stays as written, so `/servers/%zz`
 * is a 404 for an id that does not exist rather than a URIError.
 */
export function unquote(s: string): string {
  return s.replace(/(?:%[0-9A-Fa-f]{2})+/g, (run) => {
    try {
      return decodeURIComponent(run);
    } catch {
      return run;
    }
  });
}
