import type { RequestContext } from "../common/context.js";
import type { Db } from "../common/db/database.js";
import type { HttpRequest } from "../common/http/types.js";
import { imageNotFound } from "./errors.js";
import type { FileStore } from "./file-store.js";
import type { ImagePolicy, ImageTarget } from "./policies.js";
import { type Image, ImageRepository, type Viewer } from "./repository.js";

/** The [glance] options the API enforces. */
export interface ImageLimits {
  imageSizeCap: number;
  limitParamDefault: number;
  apiLimitMax: number;
  memberQuota: number;
  tagQuota: number;
  propertyQuota: number;
  /** Largest JSON request body (image data is capped by imageSizeCap instead). */
  maxJsonBody: number;
}

/** Everything a handler needs: the database, the file store, the policy and the limits. */
export class ImageService {
  readonly repo: ImageRepository;
  constructor(
    db: Db,
    readonly store: FileStore,
    readonly policy: ImagePolicy,
    readonly limits: ImageLimits,
  ) {
    this.repo = new ImageRepository(db);
  }

  context(req: HttpRequest): RequestContext {
    return (req.environ.context as RequestContext | undefined) ?? { roles: [] };
  }

  viewer(ctx: RequestContext): Viewer {
    return { projectId: ctx.project_id, isAdmin: this.policy.isAdmin(ctx) };
  }

  /** The image if it exists and the caller may see it; else Glance's 404 (an invisible image does not exist). */
  find(id: string, ctx: RequestContext): Image {
    const image = this.repo.get(id);
    if (!image || !this.repo.visibleTo(image, this.viewer(ctx))) throw imageNotFound(id);
    return image;
  }

  /** The image as a policy target (owner as project_id; the caller's project as member_id when it is one). */
  target(image: Image, ctx: RequestContext): ImageTarget {
    const member = ctx.project_id ? this.repo.getMember(image.id, ctx.project_id) : undefined;
    return { project_id: image.owner, owner: image.owner, visibility: image.visibility, ...(member ? { member_id: member.member } : {}) };
  }

  authorize(action: string, ctx: RequestContext, image: Image): void {
    this.policy.authorize(action, ctx, this.target(image, ctx));
  }
}
