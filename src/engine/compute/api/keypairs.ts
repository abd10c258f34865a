import { HttpError } from "../../common/http/errors.js";
import { type Router, jsonBody } from "../../common/http/router.js";
import { type HttpRequest, empty, json } from "../../common/http/types.js";
import {
  KeyPairError,
  type KeyPair,
  createKeypair,
  deleteKeypair,
  generateKeyPair,
  keypairByName,
  keypairsOf,
} from "../objects/keypairs.js";
import { projectLimits } from "../objects/quotas.js";
import { atLeast } from "./microversion.js";
import type { NovaApi } from "./nova-api.js";
import { keypairCreate } from "./schemas.js";
import { validate } from "./validation.js";

/** os-keypairs: per-user key pairs; admins may name another user (2.10+). */
export function addKeypairRoutes(r: Router, api: NovaApi): void {
  const view = (req: HttpRequest, k: KeyPair, full: boolean) => {
    const v: Record<string, unknown> = { name: k.name, public_key: k.public_key, fingerprint: k.fingerprint };
    if (atLeast(req, 2)) v.type = k.type;
    if (full)
      Object.assign(v, {
        user_id: k.user_id,
        deleted: false,
        created_at: k.created_at.slice(0, 26),
        updated_at: null,
        deleted_at: null,
        id: k.id,
      });
    return v;
  };
  const userOf = (req: HttpRequest, rule: string) => {
    const ctx = api.ctx(req);
    const asked = atLeast(req, 10) ? (req.query.get("user_id") ?? undefined) : undefined;
    const user = asked ?? ctx.user_id ?? "";
    api.policy.authorize(ctx, rule, { user_id: user });
    return user;
  };

  r.get("/os-keypairs", (req) => {
    const user = userOf(req, "os_compute_api:os-keypairs:index");
    return json(200, { keypairs: keypairsOf(api.apiDb, user).map((k) => ({ keypair: view(req, k, false) })) });
  });
  r.get("/os-keypairs/{name}", (req) => {
    const user = userOf(req, "os_compute_api:os-keypairs:show");
    const k = keypairByName(api.apiDb, user, req.params.name ?? "");
    if (!k) throw new HttpError(404, `Keypair ${req.params.name} not found for user ${user}`);
    return json(200, { keypair: view(req, k, true) });
  });
  r.delete("/os-keypairs/{name}", (req) => {
    const user = userOf(req, "os_compute_api:os-keypairs:delete");
    if (!deleteKeypair(api.apiDb, user, req.params.name ?? ""))
      throw new HttpError(404, `Keypair ${req.params.name} not found for user ${user}`);
    return empty(atLeast(req, 2) ? 204 : 202);
  });
  r.post("/os-keypairs", async (req) => {
    const ctx = api.ctx(req);
    const body = await jsonBody(req);
    validate(keypairCreate, body);
    const kp = body.keypair as { name: string; type?: string; public_key?: string; user_id?: string };
    if (kp.type && !atLeast(req, 2))
      throw new HttpError(
        400,
        `Invalid input for field/attribute keypair. Value: ${JSON.stringify(kp)}. Additional properties are not allowed ('type' was unexpected)`,
      );
    if (kp.user_id && !atLeast(req, 10))
      throw new HttpError(
        400,
        `Invalid input for field/attribute keypair. Value: ${JSON.stringify(kp)}. Additional properties are not allowed ('user_id' was unexpected)`,
      );
    if (!kp.public_key && atLeast(req, 92)) throw new HttpError(400, "'public_key' is a required property");
    const user = kp.user_id ?? ctx.user_id ?? "";
    api.policy.authorize(ctx, "os_compute_api:os-keypairs:create", { user_id: user });
    const limit = projectLimits(api.apiDb, api.config, ctx.project_id ?? "").key_pairs;
    if (limit >= 0 && keypairsOf(api.apiDb, user).length >= limit) throw new HttpError(403, "Quota exceeded, too many key pairs.");
    if (keypairByName(api.apiDb, user, kp.name)) throw new HttpError(409, `Key pair '${kp.name}' already exists.`);
    const type = kp.type ?? "ssh";
    let privateKey: string | undefined;
    let publicKey = kp.public_key;
    if (!publicKey) {
      const g = generateKeyPair(kp.name, type === "x509" ? "x509" : "ssh");
      publicKey = g.publicKey;
      privateKey = g.privateKey;
    }
    try {
      const k = createKeypair(api.apiDb, { name: kp.name, user_id: user, public_key: publicKey, type });
      const v = view(req, k, false);
      v.user_id = k.user_id;
      if (privateKey) v.private_key = privateKey;
      return json(atLeast(req, 2) ? 201 : 200, { keypair: v });
    } catch (err) {
      if (err instanceof KeyPairError) throw new HttpError(400, err.message);
      throw err;
    }
  });
}
