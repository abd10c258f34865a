import { existsSync } from "node:fs";
import type { RequestContext } from "../common/context.js";
import { Enforcer, PolicyNotAuthorized, type PolicyOperation, type RuleDefault } from "../common/policy/index.js";
import { policyDenied } from "./errors.js";

/**
 * Glance's policy-in-code defaults (glance/policies, Zed), check strings reproduced as data. The target
 * of an image rule is the image seen from the policy: `project_id` is the image's owner, `member_id`
 * the asking project when it is a member of the image, `visibility` the image's visibility. Visibility
 * itself (who may see a private image at all) is decided by the repository query, as in Glance's DB layer.
 * Tags and imports are guarded by modify_image, staging by upload_image, as in Glance. Descriptions are ours.
 */
const PROJECT_MEMBER = "role:member and project_id:%(project_id)s";
const PROJECT_READER = "role:reader and project_id:%(project_id)s";
const IMAGE_MEMBER = "project_id:%(member_id)s";
const VISIBLE = `project_id:%(project_id)s or ${IMAGE_MEMBER} or "community":%(visibility)s or "public":%(visibility)s or "shared":%(visibility)s`;
const ADMIN_OR_PROJECT_MEMBER = `role:admin or (${PROJECT_MEMBER})`;
const ADMIN_OR_PROJECT_READER = `role:admin or (${PROJECT_READER})`;
const ADMIN_OR_READER_OF_VISIBLE = `role:admin or (role:reader and (${VISIBLE}))`;
const ADMIN_OR_MEMBER_OF_VISIBLE = `role:admin or (role:member and (${VISIBLE}))`;
const ADMIN_OR_PROJECT_MEMBER_CREATE = `role:admin or (${PROJECT_MEMBER} and project_id:%(owner)s)`;
const ADMIN_OR_SHARED_MEMBER = `role:admin or (role:member and ${IMAGE_MEMBER})`;
const ADMIN_OR_PROJECT_READER_OR_SHARED_MEMBER = `role:admin or role:reader and (project_id:%(project_id)s or ${IMAGE_MEMBER})`;

const op = (method: string, path: string): PolicyOperation => ({ method, path });
const rule = (name: string, checkStr: string, description: string, operations: PolicyOperation[] = []): RuleDefault => ({
  name,
  checkStr,
  description,
  scopeTypes: ["system", "project"],
  operations,
  // Before Wallaby every image rule was `rule:default`; kept for `os policy list`, not OR-ed in (see below).
  ...(checkStr === "role:admin" ? {} : { deprecatedRule: { checkStr: "rule:default", since: "Wallaby" } }),
});

export const GLANCE_POLICY_DEFAULTS: RuleDefault[] = [
  { name: "default", checkStr: "", description: "Rule for policies a policy file leaves undefined." },
  { name: "context_is_admin", checkStr: "role:admin", description: "Who is an administrator of the image service." },
  rule("add_image", ADMIN_OR_PROJECT_MEMBER_CREATE, "Create an image (owned by the caller's project).", [op("POST", "/v2/images")]),
  rule("delete_image", ADMIN_OR_PROJECT_MEMBER, "Delete an image.", [op("DELETE", "/v2/images/{image_id}")]),
  rule("get_image", ADMIN_OR_READER_OF_VISIBLE, "Show an image.", [op("GET", "/v2/images/{image_id}")]),
  rule("get_images", ADMIN_OR_PROJECT_READER, "List images.", [op("GET", "/v2/images")]),
  rule("modify_image", ADMIN_OR_PROJECT_MEMBER, "Update an image.", [op("PATCH", "/v2/images/{image_id}")]),
  rule("publicize_image", "role:admin", "Make an image public.", [op("PATCH", "/v2/images/{image_id}")]),
  rule("communitize_image", ADMIN_OR_PROJECT_MEMBER, "Make an image a community image.", [op("PATCH", "/v2/images/{image_id}")]),
  rule("download_image", ADMIN_OR_MEMBER_OF_VISIBLE, "Download an image's data.", [op("GET", "/v2/images/{image_id}/file")]),
  rule("upload_image", ADMIN_OR_PROJECT_MEMBER, "Upload an image's data.", [op("PUT", "/v2/images/{image_id}/file")]),
  rule("add_member", ADMIN_OR_PROJECT_MEMBER, "Share an image with a project.", [op("POST", "/v2/images/{image_id}/members")]),
  rule("delete_member", ADMIN_OR_PROJECT_MEMBER, "Stop sharing an image with a project.", [
    op("DELETE", "/v2/images/{image_id}/members/{member_id}"),
  ]),
  rule("get_member", ADMIN_OR_PROJECT_READER_OR_SHARED_MEMBER, "Show one member of an image.", [
    op("GET", "/v2/images/{image_id}/members/{member_id}"),
  ]),
  rule("get_members", ADMIN_OR_PROJECT_READER_OR_SHARED_MEMBER, "List the members of an image.", [
    op("GET", "/v2/images/{image_id}/members"),
  ]),
  rule("modify_member", ADMIN_OR_SHARED_MEMBER, "Accept or reject an image shared with one's project.", [
    op("PUT", "/v2/images/{image_id}/members/{member_id}"),
  ]),
  rule("deactivate", ADMIN_OR_PROJECT_MEMBER, "Deactivate an image.", [op("POST", "/v2/images/{image_id}/actions/deactivate")]),
  rule("reactivate", ADMIN_OR_PROJECT_MEMBER, "Reactivate an image.", [op("POST", "/v2/images/{image_id}/actions/reactivate")]),
];

/** The image as a policy target. */
export interface ImageTarget {
  project_id?: string | null;
  owner?: string | null;
  visibility?: string;
  member_id?: string;
}

/** The request context as oslo.policy credentials. */
function credsOf(ctx: RequestContext): Record<string, unknown> {
  return { ...ctx, roles: ctx.roles ?? [] };
}

/**
 * Glance's Enforcer. New defaults are enforced (the `rule:default` fallback, an empty check, would let
 * anyone modify anything); an operator loosens or tightens rules in `<state dir>/etc/glance/policy.yaml`.
 */
export class ImagePolicy {
  private readonly enforcer: Enforcer;
  constructor(policyFile?: string, rules?: Record<string, string>) {
    this.enforcer = new Enforcer(GLANCE_POLICY_DEFAULTS, {
      policyFile: policyFile && existsSync(policyFile) ? policyFile : undefined,
      rules,
      enforceNewDefaults: true,
    });
  }

  /** Throws Glance's 403 when the rule denies the action. */
  authorize(action: string, ctx: RequestContext, target: ImageTarget = {}): void {
    try {
      this.enforcer.authorize(action, target, credsOf(ctx));
    } catch (err) {
      if (err instanceof PolicyNotAuthorized) throw policyDenied(action);
      throw err;
    }
  }

  allows(action: string, ctx: RequestContext, target: ImageTarget = {}): boolean {
    return this.enforcer.enforce(action, target, credsOf(ctx));
  }

  isAdmin(ctx: RequestContext): boolean {
    return this.enforcer.enforce("context_is_admin", {}, credsOf(ctx));
  }
}
