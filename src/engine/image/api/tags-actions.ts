import { HttpError } from "../../common/http/errors.js";
import type { Router } from "../../common/http/router.js";
import { empty } from "../../common/http/types.js";
import { withSpan } from "../../common/trace/tracer.js";
import { forbidden, tooLarge } from "../errors.js";
import { checkImage } from "../schemas.js";
import type { ImageService } from "../service.js";

/** ImageTagsController (PUT/DELETE one tag) and ImageActionsController (deactivate/reactivate). */
export function addTagAndActionRoutes(r: Router, svc: ImageService): void {
  r.put("/images/{image_id}/tags/{tag_value}", (req) => {
    const ctx = svc.context(req);
    const image = svc.find(req.params.image_id as string, ctx);
    svc.authorize("modify_image", ctx, image);
    const tag = req.params.tag_value as string;
    checkImage({ tags: [tag] });
    if (!image.tags.includes(tag) && image.tags.length + 1 > svc.limits.tagQuota)
      throw tooLarge(
        `The limit has been exceeded on the number of allowed image tags. Attempted: ${image.tags.length + 1}, Maximum: ${svc.limits.tagQuota}`,
      );
    svc.repo.addTag(image.id, tag);
    return empty(204);
  });

  r.delete("/images/{image_id}/tags/{tag_value}", (req) => {
    const ctx = svc.context(req);
    const image = svc.find(req.params.image_id as string, ctx);
    svc.authorize("modify_image", ctx, image);
    const tag = req.params.tag_value as string;
    if (!svc.repo.removeTag(image.id, tag)) throw new HttpError(404, `Tag ${tag} not found`);
    return empty(204);
  });

  // Deactivation hides an active image's data from non-admins (e.g. while it is investigated).
  for (const [action, from, to] of [
    ["deactivate", "active", "deactivated"],
    ["reactivate", "deactivated", "active"],
  ] as const) {
    r.post(`/images/{image_id}/actions/${action}`, (req) =>
      withSpan(`ImageActionsController.${action}`, "internal", () => {
        const ctx = svc.context(req);
        const image = svc.find(req.params.image_id as string, ctx);
        svc.authorize(action, ctx, image);
        if (image.status === to) return empty(204);
        if (image.status !== from || !svc.repo.update(image.id, { status: to }, { fromStatus: [from] })) {
          const now = svc.repo.get(image.id)?.status ?? image.status;
          if (now !== to) throw forbidden(`Not allowed to ${action} image in status '${now}'`);
        }
        return empty(204);
      }),
    );
  }
}
