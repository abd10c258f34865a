import { randomBytes } from "node:crypto";
import type { Router } from "../../common/http/router.js";
import { empty, json } from "../../common/http/types.js";
import type { Role } from "../backends/assignment.js";
import { forbiddenMsg, invalidField, notFound } from "../errors.js";
import {
  type KeystoneContext,
  bodyObject,
  collection,
  credsOf,
  enforce,
  listAnswer,
  optionalBool,
  optionalString,
  requireString,
  strQuery,
} from "./common.js";
import { appCredentialView, credentialView } from "./views.js";

/** /v3/credentials and /v3/users/{id}/application_credentials. */
export function credentialRoutes(r: Router, ctx: KeystoneContext): void {
  const { credential, appCredential, assignment, identity, effective } = ctx.store;

  r.post("/credentials", async (req) => {
    const body = await bodyObject(req, "credential");
    const userId = requireString(body, "user_id");
    const type = requireString(body, "type");
    const blob = requireString(body, "blob");
    const projectId = optionalString(body, "project_id") ?? null;
    if (type === "ec2" && !projectId) throw invalidField("project_id", "a project_id is required for an ec2 credential");
    await enforce(ctx, req, "identity:create_credential", { credential: body });
    return json(201, {
      credential: credentialView(req, credential.create({ ...body, user_id: userId, type, blob, project_id: projectId })),
    });
  });
  r.get("/credentials", async (req) => {
    const caller = await enforce(ctx, req, "identity:list_credentials");
    // Keystone filters the list down to the credentials the caller may read one by one.
    const list = credential
      .list({ user_id: strQuery(req, "user_id"), type: strQuery(req, "type") })
      .filter((c) => ctx.enforcer.enforce("identity:get_credential", { target: { credential: c } }, credsOf(caller)));
    return listAnswer(req, "credentials", list, credentialView);
  });
  r.get("/credentials/{credential_id}", async (req) => {
    const c = credential.find(req.params.credential_id as string);
    await enforce(ctx, req, "identity:get_credential", { credential: c ?? {} });
    if (!c) throw notFound("credential", req.params.credential_id as string);
    return json(200, { credential: credentialView(req, c) });
  });
  r.patch("/credentials/{credential_id}", async (req) => {
    const body = await bodyObject(req, "credential");
    const c = credential.find(req.params.credential_id as string);
    await enforce(ctx, req, "identity:update_credential", { credential: c ?? {} });
    if (!c) throw notFound("credential", req.params.credential_id as string);
    return json(200, { credential: credentialView(req, credential.update(c.id, body)) });
  });
  r.delete("/credentials/{credential_id}", async (req) => {
    const c = credential.find(req.params.credential_id as string);
    await enforce(ctx, req, "identity:delete_credential", { credential: c ?? {} });
    if (!c) throw notFound("credential", req.params.credential_id as string);
    credential.delete(c.id);
    return empty(204);
  });

  // ---- application credentials
  const base = "/users/{user_id}/application_credentials";
  r.post(base, async (req) => {
    const body = await bodyObject(req, "application_credential");
    const name = requireString(body, "name", { max: 255 });
    const secret = optionalString(body, "secret") ?? randomBytes(48).toString("base64url");
    const description = optionalString(body, "description") ?? null;
    const unrestricted = optionalBool(body, "unrestricted") ?? false;
    const expiresAt = optionalString(body, "expires_at") ?? null;
    if (expiresAt !== null && Number.isNaN(Date.parse(expiresAt))) throw invalidField("expires_at", `'${expiresAt}' is not a 'date-time'`);
    const userId = req.params.user_id as string;
    const caller = await enforce(ctx, req, "identity:create_application_credential", { user: identity.findUser(userId) ?? {} });
    if (caller.user.id !== userId) throw forbiddenMsg("Cannot create an application credential for another user.");
    if (caller.appCred && !caller.appCred.unrestricted)
      throw forbiddenMsg("Using method 'application_credential' is not allowed for managing additional application credentials.");
    if (caller.scope.kind !== "project") throw forbiddenMsg("An application credential can only be created with a project-scoped token.");
    const held = effective.onProject(userId, caller.scope.project.id);
    let roles: Role[] = held;
    if (body.roles !== undefined) {
      if (!Array.isArray(body.roles)) throw invalidField("roles", `${JSON.stringify(body.roles)} is not of type 'array'`);
      roles = (body.roles as Array<{ id?: string; name?: string }>).map((x) => {
        const role = held.find((h) => (x.id && h.id === x.id) || (x.name && h.name === x.name));
        if (!role)
          throw forbiddenMsg(
            `Cannot create an application credential with a role the user does not have on the project: ${x.id ?? x.name}.`,
          );
        return role;
      });
    }
    const created = appCredential.create({
      name,
      secret,
      description,
      user_id: userId,
      project_id: caller.scope.project.id,
      system: null,
      expires_at: expiresAt ? new Date(expiresAt).toISOString() : null,
      unrestricted,
      role_ids: roles.map((x) => x.id),
    });
    // The secret is shown this once; only its hash is kept.
    return json(201, { application_credential: { ...appCredentialView(req, created, (id) => assignment.findRole(id)), secret } });
  });
  r.get(base, async (req) => {
    const userId = req.params.user_id as string;
    await enforce(ctx, req, "identity:list_application_credentials", { user: identity.findUser(userId) ?? {} });
    const list = appCredential.list(userId, strQuery(req, "name"));
    return json(
      200,
      collection(
        req,
        "application_credentials",
        list.map((a) => appCredentialView(req, a, (id) => assignment.findRole(id))),
      ),
    );
  });
  r.get(`${base}/{application_credential_id}`, async (req) => {
    const userId = req.params.user_id as string;
    await enforce(ctx, req, "identity:get_application_credential", { user: identity.findUser(userId) ?? {} });
    const a = appCredential.find(req.params.application_credential_id as string);
    if (!a || a.user_id !== userId) throw notFound("application credential", req.params.application_credential_id as string);
    return json(200, { application_credential: appCredentialView(req, a, (id) => assignment.findRole(id)) });
  });
  r.delete(`${base}/{application_credential_id}`, async (req) => {
    const userId = req.params.user_id as string;
    await enforce(ctx, req, "identity:delete_application_credential", { user: identity.findUser(userId) ?? {} });
    const a = appCredential.find(req.params.application_credential_id as string);
    if (!a || a.user_id !== userId) throw notFound("application credential", req.params.application_credential_id as string);
    appCredential.delete(a.id);
    return empty(204);
  });
}
