import type { Db } from "../../common/db/database.js";
import { HttpError } from "../../common/http/errors.js";
import { jsonBody } from "../../common/http/router.js";
import { type HttpRequest, type HttpResponse, json } from "../../common/http/types.js";
import type { RequestContext } from "../../common/context.js";
import type { Enforcer } from "../../common/policy/index.js";
import { PolicyNotAuthorized } from "../../common/policy/index.js";
import { type Microversion, MIN_MINOR } from "../microversion.js";
import { Microversion as MV } from "../microversion.js";
import { validate } from "../validate.js";

export interface PlacementDeps {
  db: Db;
  enforcer: Enforcer;
}

/** Everything a placement handler needs about one request. */
export class Call {
  readonly v: Microversion;
  readonly ctx: RequestContext;
  constructor(
    readonly req: HttpRequest,
    readonly deps: PlacementDeps,
  ) {
    this.v = (req.environ["placement.microversion"] as Microversion | undefined) ?? new MV(1, MIN_MINOR);
    this.ctx = (req.environ.context as RequestContext | undefined) ?? { roles: [] };
  }
  get db(): Db {
    return this.deps.db;
  }
  get params(): Record<string, string> {
    return this.req.params;
  }
  get query(): URLSearchParams {
    return this.req.query;
  }
  /** Links are relative to where placement is mounted (SCRIPT_NAME), as placement builds them. */
  href(path: string): string {
    return `${this.req.scriptName}${path}`;
  }

  /** Policy check (placement's context.can): 403 "Policy does not allow … to be performed." */
  can(action: string, target: Record<string, unknown> = {}): void {
    const creds = { ...this.ctx, project_id: this.ctx.project_id, user_id: this.ctx.user_id };
    const fullTarget = { project_id: this.ctx.project_id, user_id: this.ctx.user_id, ...target };
    if (!this.deps.enforcer.enforce(action, fullTarget, creds))
      throw new PolicyNotAuthorized(action, `Policy does not allow ${action} to be performed.`);
  }

  /** The JSON body, checked: content type must be JSON (415), body must match the schema (400). */
  async body<T>(schema: object): Promise<T> {
    const type = String(this.req.headers["content-type"] ?? "");
    if (!type.split(";")[0]?.trim().toLowerCase().endsWith("application/json"))
      throw new HttpError(415, `The media type ${type || "None"} is not supported, use application/json`);
    let data: unknown;
    const raw = (await this.req.body()).toString("utf8");
    try {
      data = JSON.parse(raw);
    } catch (e) {
      throw new HttpError(400, `Malformed JSON: ${(e as Error).message}`);
    }
    return validate<T>(schema, data);
  }
  /** For handlers whose body may be any JSON value (PUT aggregates before 1.19 is a bare list). */
  async jsonObject(): Promise<Record<string, unknown>> {
    return jsonBody(this.req);
  }
}

/** GET responses carry last-modified + cache-control: no-cache from 1.15. */
export function ok(
  c: Call,
  body: unknown,
  opts: { status?: number; lastModified?: Array<string | null | undefined>; headers?: Record<string, string> } = {},
): HttpResponse {
  return json(opts.status ?? 200, body, responseHeaders(c, opts));
}

/** As ok(), for a body the handler already wrote as JSON text. */
export function okJsonText(c: Call, text: string): HttpResponse {
  return { status: 200, headers: { "content-type": "application/json", ...responseHeaders(c, {}) }, body: text };
}

function responseHeaders(c: Call, opts: { lastModified?: Array<string | null | undefined>; headers?: Record<string, string> }) {
  const headers: Record<string, string> = { ...(opts.headers ?? {}) };
  if (c.v.at(15)) {
    const stamps = (opts.lastModified ?? []).filter((s): s is string => Boolean(s)).map((s) => Date.parse(s));
    const when = stamps.length > 0 ? new Date(Math.max(...stamps)) : new Date();
    headers["last-modified"] = when.toUTCString();
    headers["cache-control"] = "no-cache";
  }
  return headers;
}

/** Gate a handler on a microversion: before it, the URL does not exist (404) or the method is not allowed (405). */
export function since(minor: number, status: 404 | 405 = 404) {
  return (c: Call): void => {
    if (!c.v.at(minor)) {
      if (status === 405) throw new HttpError(405, `The method ${c.req.method} is not supported for this URL.`);
      throw new HttpError(404, "The resource could not be found.");
    }
  };
}
