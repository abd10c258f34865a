import type { Config } from "../../common/config/config.js";
import type { RequestContext } from "../../common/context.js";
import type { Db } from "../../common/db/database.js";
import { HttpError } from "../../common/http/errors.js";
import type { HttpRequest } from "../../common/http/types.js";
import type { CellMapping, CellMappings } from "../cells/mappings.js";
import type { CellBuses } from "../cells/rpc.js";
import { getBuildRequest } from "../objects/build-requests.js";
import { type Instance, findInstance } from "../objects/instance.js";
import type { ServiceClients } from "../objects/service-clients.js";
import type { ComputePolicy } from "./policies.js";
import { ServerViewCache } from "./server-detail-page.js";

/** A server as the API finds it: in a cell, or still a build request in nova_api. */
export interface FoundServer {
  instance: Instance;
  cell: CellMapping | null;
  db: Db | null;
  tags: string[];
}

/** Everything the compute API's handlers share: databases, cells and their buses, clients, policy, config. */
export class NovaApi {
  /** Rendered servers of /servers/detail, kept while their rows do not change. */
  readonly viewCache = new ServerViewCache();

  constructor(
    readonly config: Config,
    readonly stateDir: string,
    readonly cells: CellMappings,
    readonly buses: CellBuses,
    readonly clients: ServiceClients,
    readonly policy: ComputePolicy,
  ) {}

  get apiDb(): Db {
    return this.cells.apiDb;
  }

  /** The request context the auth filters built; without one the pipeline is misconfigured. */
  ctx(req: HttpRequest): RequestContext {
    const ctx = req.environ.context as RequestContext | undefined;
    if (!ctx) throw new HttpError(401, "The request you have made requires authentication.");
    return { ...ctx, request_id: ctx.request_id ?? (req.environ.request_id as string | undefined) };
  }

  isAdmin(ctx: RequestContext): boolean {
    return this.policy.isAdmin(ctx);
  }

  /**
   * common.get_instance: the instance mapping says where it lives. A non-admin only finds its own
   * project's servers (Nova's project_only queries), so another project's server is a 404 too.
   */
  findServer(ctx: RequestContext, id: string, opts: { readDeleted?: boolean } = {}): FoundServer {
    const notFound = () => new HttpError(404, `Instance ${id} could not be found.`);
    const where = this.cells.instanceCell(id);
    if (!where) throw notFound();
    if (!this.isAdmin(ctx) && where.project_id !== ctx.project_id) throw notFound();
    if (!where.cell) {
      const br = getBuildRequest(this.apiDb, id);
      if (!br) throw notFound();
      return { instance: br.instance, cell: null, db: null, tags: br.tags };
    }
    const db = this.cells.db(where.cell);
    const instance = findInstance(db, id, opts.readDeleted);
    if (!instance) throw notFound();
    const tags = (db.prepare("SELECT tag FROM tags WHERE resource_id = ? ORDER BY tag").all(id) as Array<{ tag: string }>).map(
      (t) => t.tag,
    );
    return { instance, cell: where.cell, db, tags };
  }

  /** The URL prefix of this API as the client reached it (for links). */
  baseUrl(req: HttpRequest): string {
    const host = req.headers["x-forwarded-host"] ?? req.headers.host ?? "localhost";
    const proto = req.headers["x-forwarded-proto"] ?? "http";
    return `${proto}://${host}`;
  }
}
