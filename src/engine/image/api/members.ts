import { HttpError } from "../../common/http/errors.js";
import { jsonBody, type Router } from "../../common/http/router.js";
import { type HttpRequest, empty, json } from "../../common/http/types.js";
import { badRequest, conflict, forbidden, tooLarge } from "../errors.js";
import type { Image } from "../repository.js";
import { checkMember } from "../schemas.js";
import type { ImageService } from "../service.js";
import { memberView } from "../views.js";

const onlyShared = (image: Image) => {
  if (image.visibility !== "shared") throw forbidden("Only shared images have members.");
};
const memberNotFound = (member: string, image: string) => new HttpError(404, `Member ${member} not found for image ${image}`);

/** ImageMembersController: share a `shared` image with projects, which accept or reject it. */
export function addMemberRoutes(r: Router, svc: ImageService): void {
  const load = (req: HttpRequest) => {
    const ctx = svc.context(req);
    return { ctx, image: svc.find(req.params.image_id as string, ctx) };
  };

  r.get("/images/{image_id}/members", (req) => {
    const { ctx, image } = load(req);
    svc.authorize("get_members", ctx, image);
    onlyShared(image);
    // The owner (or an admin) sees every member; a member sees only its own membership.
    const all = svc.repo.listMembers(image.id);
    const seeAll = svc.policy.isAdmin(ctx) || image.owner === ctx.project_id;
    const members = seeAll ? all : all.filter((m) => m.member === ctx.project_id);
    return json(200, { members: members.map(memberView), schema: "/v2/schemas/members" });
  });

  r.post("/images/{image_id}/members", async (req) => {
    const { ctx, image } = load(req);
    const body = await jsonBody(req);
    svc.authorize("add_member", ctx, image);
    onlyShared(image);
    const member = body.member ?? body.member_id;
    if (member === undefined) throw badRequest("Member to be added not specified");
    if (typeof member !== "string" || member.trim() === "")
      throw badRequest("Member to be added must be a project ID (a non-empty string)");
    const count = svc.repo.countMembers(image.id) + 1;
    if (count > svc.limits.memberQuota)
      throw tooLarge(
        `The limit has been exceeded on the number of allowed image members for this image. Attempted: ${count}, Maximum: ${svc.limits.memberQuota}`,
      );
    const added = svc.repo.addMember(image.id, member);
    if (!added) throw conflict(`Member ${member} is duplicated for image ${image.id}`);
    return json(200, memberView(added));
  });

  r.get("/images/{image_id}/members/{member_id}", (req) => {
    const { ctx, image } = load(req);
    svc.authorize("get_member", ctx, image);
    onlyShared(image);
    const memberId = req.params.member_id as string;
    const member = svc.repo.getMember(image.id, memberId);
    // A project that is neither owner nor that member learns nothing about it.
    const mayLook = svc.policy.isAdmin(ctx) || image.owner === ctx.project_id || memberId === ctx.project_id;
    if (!member || !mayLook) throw memberNotFound(memberId, image.id);
    return json(200, memberView(member));
  });

  r.put("/images/{image_id}/members/{member_id}", async (req) => {
    const { ctx, image } = load(req);
    const memberId = req.params.member_id as string;
    const body = await jsonBody(req);
    if (body.status === undefined) throw badRequest("Status not specified");
    checkMember({ status: body.status });
    // Only the member itself (or an admin) answers an invitation: the target's member_id is the path's.
    svc.policy.authorize("modify_member", ctx, {
      project_id: image.owner,
      owner: image.owner,
      visibility: image.visibility,
      member_id: memberId,
    });
    onlyShared(image);
    if (!svc.repo.getMember(image.id, memberId)) throw memberNotFound(memberId, image.id);
    const updated = svc.repo.setMemberStatus(image.id, memberId, body.status as string);
    return json(200, memberView(updated as NonNullable<typeof updated>));
  });

  r.delete("/images/{image_id}/members/{member_id}", (req) => {
    const { ctx, image } = load(req);
    svc.authorize("delete_member", ctx, image);
    onlyShared(image);
    const memberId = req.params.member_id as string;
    if (!svc.repo.removeMember(image.id, memberId)) throw memberNotFound(memberId, image.id);
    return empty(204);
  });
}
