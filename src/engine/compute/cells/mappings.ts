import { randomUUID } from "node:crypto";
import type { Db } from "../../common/db/database.js";
import { type DbSettings, openCellDb, utcNow } from "../db/open.js";

/** cell0's fixed uuid (nova.objects.CellMapping.CELL0_UUID). */
export const CELL0_UUID = "00000000-0000-0000-0000-000000000000";

export interface CellMapping {
  id: number;
  uuid: string;
  name: string | null;
  transport_url: string;
  database_connection: string;
  disabled: boolean;
}

interface CellRow extends Omit<CellMapping, "disabled"> {
  disabled: number;
}

const toCell = (r: CellRow): CellMapping => ({ ...r, disabled: r.disabled === 1 });

export class CellNotFound extends Error {
  override name = "CellMappingNotFound";
}

/** The cells v2 mappings in nova_api: which cells exist, which host lives in which cell, where each instance is. */
export class CellMappings {
  constructor(
    readonly apiDb: Db,
    readonly stateDir: string,
    private readonly settings: DbSettings = {},
  ) {}

  list(): CellMapping[] {
    return (this.apiDb.prepare("SELECT * FROM cell_mappings ORDER BY id").all() as CellRow[]).map(toCell);
  }

  byUuid(uuid: string): CellMapping {
    const r = this.apiDb.prepare("SELECT * FROM cell_mappings WHERE uuid = ?").get(uuid) as CellRow | undefined;
    if (!r) throw new CellNotFound(`Cell ${uuid} has no mapping.`);
    return toCell(r);
  }

  byId(id: number): CellMapping {
    const r = this.apiDb.prepare("SELECT * FROM cell_mappings WHERE id = ?").get(id) as CellRow | undefined;
    if (!r) throw new CellNotFound(`Cell with id ${id} has no mapping.`);
    return toCell(r);
  }

  byName(name: string): CellMapping | undefined {
    const r = this.apiDb.prepare("SELECT * FROM cell_mappings WHERE name = ?").get(name) as CellRow | undefined;
    return r ? toCell(r) : undefined;
  }

  cell0(): CellMapping {
    return this.byUuid(CELL0_UUID);
  }

  /** The real cells (everything but cell0), the ones the scheduler can place instances in. */
  realCells(): CellMapping[] {
    return this.list().filter((c) => c.uuid !== CELL0_UUID);
  }

  /** `nova-manage cell_v2 map_cell0`: idempotent; cell0 has no message bus (`none:///`). */
  mapCell0(databaseConnection = "sqlite:///nova_cell0.sqlite"): { cell: CellMapping; created: boolean } {
    const existing = this.apiDb.prepare("SELECT * FROM cell_mappings WHERE uuid = ?").get(CELL0_UUID) as CellRow | undefined;
    if (existing) return { cell: toCell(existing), created: false };
    this.apiDb
      .prepare(
        "INSERT INTO cell_mappings (uuid, name, transport_url, database_connection, created_at) VALUES (?, 'cell0', 'none:///', ?, ?)",
      )
      .run(CELL0_UUID, databaseConnection, utcNow());
    const cell = this.cell0();
    this.db(cell);
    return { cell, created: true };
  }

  /** `nova-manage cell_v2 create_cell`: a cell with its own bus and database (synced here). */
  createCell(name: string, transportUrl: string, databaseConnection: string, uuid = randomUUID()): CellMapping {
    if (this.byName(name)) throw new Error(`The specified cell name '${name}' is already in use.`);
    const dup = this.list().find((c) => c.transport_url === transportUrl && c.database_connection === databaseConnection);
    if (dup)
      throw new Error(
        `The specified transport_url and database_connection combination already exists for another cell with uuid ${dup.uuid}.`,
      );
    this.apiDb
      .prepare("INSERT INTO cell_mappings (uuid, name, transport_url, database_connection, created_at) VALUES (?, ?, ?, ?, ?)")
      .run(uuid, name, transportUrl, databaseConnection, utcNow());
    const cell = this.byUuid(uuid);
    this.db(cell);
    return cell;
  }

  /** The cell database of a mapping (opened and migrated once per process). */
  db(cell: CellMapping): Db {
    return openCellDb(this.stateDir, cell.database_connection, this.settings);
  }

  /** The cell a compute host was mapped to by discover_hosts, if any. */
  cellForHost(host: string): CellMapping | undefined {
    const r = this.apiDb.prepare("SELECT cell_id FROM host_mappings WHERE host = ?").get(host) as { cell_id: number } | undefined;
    return r ? this.byId(r.cell_id) : undefined;
  }

  hostMappings(): Array<{ host: string; cell_uuid: string; cell_name: string | null }> {
    return this.apiDb
      .prepare(
        "SELECT h.host, c.uuid AS cell_uuid, c.name AS cell_name FROM host_mappings h JOIN cell_mappings c ON c.id = h.cell_id ORDER BY h.id",
      )
      .all() as Array<{ host: string; cell_uuid: string; cell_name: string | null }>;
  }

  /**
   * `nova-manage cell_v2 discover_hosts`: map every compute node not yet mapped in each real cell (or one
   * cell) to that cell, and mark the node mapped. Returns the hosts newly mapped.
   */
  discoverHosts(cellUuid?: string): Array<{ host: string; cell: CellMapping }> {
    const found: Array<{ host: string; cell: CellMapping }> = [];
    for (const cell of this.realCells()) {
      if (cellUuid && cell.uuid !== cellUuid) continue;
      const cdb = this.db(cell);
      const nodes = cdb.prepare("SELECT id, host FROM compute_nodes WHERE mapped = 0 AND deleted = 0").all() as Array<{
        id: number;
        host: string;
      }>;
      for (const node of nodes) {
        const mapped = this.cellForHost(node.host);
        if (!mapped) {
          this.apiDb.prepare("INSERT INTO host_mappings (cell_id, host, created_at) VALUES (?, ?, ?)").run(cell.id, node.host, utcNow());
          found.push({ host: node.host, cell });
        }
        cdb.prepare("UPDATE compute_nodes SET mapped = 1 WHERE id = ?").run(node.id);
      }
    }
    return found;
  }

  /** Where an instance lives: its cell (null while it is still a build request). */
  instanceCell(instanceUuid: string): { cell: CellMapping | null; project_id: string } | undefined {
    const r = this.apiDb.prepare("SELECT cell_id, project_id FROM instance_mappings WHERE instance_uuid = ?").get(instanceUuid) as
      | { cell_id: number | null; project_id: string }
      | undefined;
    if (!r) return undefined;
    return { cell: r.cell_id === null ? null : this.byId(r.cell_id), project_id: r.project_id };
  }

  setInstanceCell(instanceUuid: string, cell: CellMapping): void {
    this.apiDb
      .prepare("UPDATE instance_mappings SET cell_id = ?, updated_at = ? WHERE instance_uuid = ?")
      .run(cell.id, utcNow(), instanceUuid);
  }
}
