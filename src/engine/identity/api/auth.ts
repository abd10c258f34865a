import type { Router } from "../../common/http/router.js";
import { jsonBody } from "../../common/http/router.js";
import { HttpError } from "../../common/http/errors.js";
import { empty, json } from "../../common/http/types.js";
import type { HttpRequest } from "../../common/http/types.js";
import { TokenInvalid } from "../token/index.js";
import { AuthFailed } from "../auth/authenticate.js";
import type { ValidatedToken } from "../auth/token-service.js";
import { forbiddenMsg, notFound, unauthorized, validation } from "../errors.js";
import { type KeystoneContext, callerToken, collection, enforce, hostUrl, links, listAnswer } from "./common.js";
import { domainView, projectView } from "./views.js";

/** /v3/auth/*: issue, validate, check and revoke tokens; what the caller's token gives access to. */
export function authRoutes(r: Router, ctx: KeystoneContext): void {
  r.post("/auth/tokens", async (req) => {
    let body: Record<string, unknown>;
    try {
      body = await jsonBody(req);
    } catch (e) {
      if (e instanceof HttpError && e.status === 400) throw validation("Expecting to find valid JSON in request body.");
      throw e;
    }
    try {
      const tokenless = ctx.tokenless;
      const mapped = tokenless && ((payload: Record<string, unknown>) => tokenless.mappedAuth(req, payload));
      const { auth, scope } = await ctx.authenticator.authenticate(body, { mapped });
      const v = await ctx.tokens.issue(auth, scope);
      return json(201, ctx.tokens.render(v, !req.query.has("nocatalog")), { "x-subject-token": v.token });
    } catch (e) {
      if (e instanceof AuthFailed || e instanceof TokenInvalid) throw unauthorized(hostUrl(req));
      throw e;
    }
  });

  const subject = async (req: HttpRequest, action: string): Promise<ValidatedToken> => {
    const caller = await callerToken(ctx, req);
    const raw = req.headers["x-subject-token"];
    if (typeof raw !== "string" || raw === "") throw validation("Expecting to find X-Subject-Token in request headers.");
    let v: ValidatedToken | undefined;
    try {
      v = raw === caller.token ? caller : await ctx.tokens.validate(raw);
    } catch (e) {
      if (!(e instanceof TokenInvalid)) throw e;
    }
    await enforce(ctx, req, action, v ? { token: { user_id: v.user.id, user: { id: v.user.id, domain: { id: v.user.domain_id } } } } : {});
    if (!v) throw notFound("token", raw);
    return v;
  };

  r.add("GET", "/auth/tokens", async (req) => {
    const v = await subject(req, "identity:validate_token");
    return json(200, ctx.tokens.render(v, !req.query.has("nocatalog")), { "x-subject-token": v.token });
  });
  r.add("HEAD", "/auth/tokens", async (req) => {
    const v = await subject(req, "identity:check_token");
    return { status: 200, headers: { "x-subject-token": v.token }, body: undefined };
  });
  r.delete("/auth/tokens", async (req) => {
    const v = await subject(req, "identity:revoke_token");
    ctx.store.revoke.revoke({ audit_id: v.payload.audit_ids[0] });
    return empty(204);
  });

  r.get("/auth/catalog", async (req) => {
    const caller = await enforce(ctx, req, "identity:get_auth_catalog");
    if (caller.scope.kind === "unscoped") throw forbiddenMsg("A scoped token is required to retrieve the service catalog.");
    return json(200, { catalog: ctx.store.catalog.catalog(), links: links(req, "/auth/catalog") });
  });
  r.get("/auth/projects", async (req) => {
    const caller = await enforce(ctx, req, "identity:get_auth_projects");
    const ids = ctx.store.effective.projectIds(caller.user.id);
    const projects = ctx.store.resource.listProjects({ ids, enabled: true }).map((p) => projectView(req, p));
    return json(200, collection(req, "projects", projects));
  });
  r.get("/auth/domains", async (req) => {
    const caller = await enforce(ctx, req, "identity:get_auth_domains");
    const ids = new Set(ctx.store.effective.domainIds(caller.user.id));
    const domains = ctx.store.resource.listDomains({ enabled: true }).filter((d) => ids.has(d.id));
    return listAnswer(req, "domains", domains, domainView);
  });
  r.get("/auth/system", async (req) => {
    const caller = await enforce(ctx, req, "identity:get_auth_system");
    const has = ctx.store.effective.onSystem(caller.user.id).length > 0;
    return json(200, { system: has ? [{ all: true }] : [], links: links(req, "/auth/system") });
  });
}
