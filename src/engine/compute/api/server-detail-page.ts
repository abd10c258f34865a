import type { Db } from "../../common/db/database.js";
import type { HttpRequest } from "../../common/http/types.js";
import type { CellMapping } from "../cells/mappings.js";
import { stmt } from "../../common/db/statements.js";
import { type Fault, latestFaults, rowsToInstances } from "../objects/instance.js";
import { listServices } from "../objects/services.js";
import { minorOf } from "./microversion.js";
import type { FoundServer, NovaApi } from "./nova-api.js";
import { type ListedServer, rowSig } from "./server-list.js";
import { detailView, hostStatusOf } from "./views.js";

// The servers of a /servers/detail page as JSON text. A server's JSON only changes when its row, its tags
// or the request's variant (links' base URL, microversion, admin or not, extra specs shown) change, so the
// rendered text is kept per server and variant, keyed by the row's signature: a page of 1,000 unchanged
// servers reads a few columns per row instead of all of them, and builds, serializes and encodes nothing again.
// host_status changes with the clock (a heartbeat that stops), so it is never kept: it is appended fresh.
// An ERROR or DELETED server is rendered every time: its fault is written after its state, with no save.

interface Rendered {
  sig: string;
  /** The server's JSON without host_status and without its closing brace, UTF-8 encoded once. */
  head: Buffer;
  host: string | null;
}

const MAX_PER_VARIANT = 10_000;
const MAX_VARIANTS = 8;

/** Rendered servers per request variant, then per cell and instance uuid. */
export class ServerViewCache {
  private readonly variants = new Map<string, Map<string, Rendered>>();

  lookup(variant: string): Map<string, Rendered> {
    let m = this.variants.get(variant);
    if (!m) {
      if (this.variants.size >= MAX_VARIANTS) this.variants.clear();
      m = new Map();
      this.variants.set(variant, m);
    } else if (m.size > MAX_PER_VARIANT) m.clear();
    return m;
  }
}

/** host_status per cell and host, the services read once per cell and request. */
function hostStatuses(api: NovaApi): (db: Db | null, host: string | null) => string {
  const byCell = new Map<Db, Map<string, string>>();
  return (db, host) => {
    if (!db || !host) return "";
    let statuses = byCell.get(db);
    if (!statuses) {
      statuses = new Map();
      for (const svc of listServices(db)) if (svc.binary === "nova-compute") statuses.set(svc.host, hostStatusOf(api, svc));
      byCell.set(db, statuses);
    }
    return statuses.get(host) ?? "UNKNOWN";
  };
}

/** The page's servers as UTF-8 JSON, in page order, commas between them: what goes inside `"servers":[…]`. */
export function renderDetailPage(
  api: NovaApi,
  req: HttpRequest,
  page: ListedServer[],
  tags: Map<string, string[]>,
  opts: { admin: boolean; showExtraSpecs: boolean; hostStatus: boolean },
): Buffer[] {
  const variant = `${api.baseUrl(req)}|${minorOf(req)}|${opts.admin ? 1 : 0}|${opts.showExtraSpecs ? 1 : 0}`;
  const cache = api.viewCache.lookup(variant);
  const hostStatus = opts.hostStatus ? hostStatuses(api) : undefined;
  const keyOf = (cell: CellMapping | null, uuid: string) => `${cell?.uuid}/${uuid}`;
  const sigOf = (s: ListedServer, sig: string) => `${sig}|${(tags.get(s.uuid) ?? []).join(",")}`;
  // The end of a kept server: `}`, or host_status (fresh each time) and `}`.
  const tails = new Map<string, Buffer>();
  const tailOf = (db: Db | null, host: string | null): Buffer => {
    const text = hostStatus ? `,"host_status":${JSON.stringify(hostStatus(db, host))}}` : "}";
    let tail = tails.get(text);
    if (!tail) {
      tail = Buffer.from(text);
      tails.set(text, tail);
    }
    return tail;
  };
  const out: Array<Buffer[] | undefined> = [];

  /** Render one server; kept unless it may show a fault. host_status goes last, or just before the fault. */
  const render = (s: FoundServer, fault: Fault | null, sig?: string): Buffer[] => {
    const v = detailView(api, req, s, { admin: opts.admin, showExtraSpecs: opts.showExtraSpecs, skipHostStatus: true, fault });
    if (v.status !== "ERROR" && v.status !== "DELETED") {
      const head = Buffer.from(JSON.stringify(v).slice(0, -1));
      if (sig !== undefined) cache.set(keyOf(s.cell, s.instance.uuid), { sig, head, host: s.instance.host });
      return [head, tailOf(s.db, s.instance.host)];
    }
    if (hostStatus) {
      const f = v.fault;
      delete v.fault;
      v.host_status = hostStatus(s.db, s.instance.host);
      if (f !== undefined) v.fault = f;
    }
    return [Buffer.from(JSON.stringify(v))];
  };

  const missing = new Map<Db, number[]>();
  page.forEach((s, i) => {
    if (s.buildRequest) {
      out[i] = render({ instance: s.buildRequest.instance, cell: null, db: null, tags: tags.get(s.uuid) ?? [] }, null);
      return;
    }
    const hit = cache.get(keyOf(s.cell, s.uuid));
    if (hit && hit.sig === sigOf(s, s.sig)) {
      out[i] = [hit.head, tailOf(s.db, hit.host)];
      return;
    }
    if (!s.db) return;
    const at = missing.get(s.db);
    if (at) at.push(i);
    else missing.set(s.db, [i]);
  });

  // Everything not kept: one query per cell for the rows, their metadata and their faults.
  for (const [db, indexes] of missing) {
    const uuids = indexes.map((i) => (page[i] as ListedServer).uuid);
    const rows = stmt(db, "SELECT * FROM instances WHERE uuid IN (SELECT value FROM json_each(?))").all(
      JSON.stringify(uuids),
    ) as Parameters<typeof rowsToInstances>[1];
    const sigs = new Map(rows.map((r) => [r.uuid, rowSig(r as unknown as Parameters<typeof rowSig>[0])]));
    const instances = new Map(rowsToInstances(db, rows, { systemMetadataOfLockedOnly: true }).map((inst) => [inst.uuid, inst]));
    const faults = latestFaults(db, uuids);
    for (const i of indexes) {
      const s = page[i] as ListedServer;
      const instance = instances.get(s.uuid);
      if (!instance) continue;
      // Keyed with the signature of the row as read now (it may have moved on since the page was read).
      out[i] = render(
        { instance, cell: s.cell, db, tags: tags.get(s.uuid) ?? [] },
        faults.get(s.uuid) ?? null,
        sigOf(s, sigs.get(s.uuid) ?? ""),
      );
    }
  }
  const chunks: Buffer[] = [];
  for (const parts of out) {
    if (!parts) continue;
    if (chunks.length) chunks.push(COMMA);
    chunks.push(...parts);
  }
  return chunks;
}

const COMMA = Buffer.from(",");
