import { type Config, loadConfig } from "../../common/config/config.js";
import { layout } from "../../common/paths.js";
import { CellMappings } from "../cells/mappings.js";
import { DEFAULT_FLAVORS, createFlavor, flavorByFlavorId, flavorByName } from "../objects/flavors.js";
import { dbSettings, openApiDb, utcNow } from "./open.js";

export interface NovaFirstStartResult {
  cell0Created: boolean;
  cell1Created: boolean;
  flavorsCreated: string[];
}

/**
 * What DevStack does for Nova before the services start, idempotently: `nova-manage api_db sync` and
 * `db sync` (on open), `cell_v2 map_cell0`, `cell_v2 create_cell --name cell1` on the [DEFAULT]
 * transport_url (kept in step when the bus moves, e.g. to another port), and, the first time only,
 * the default public flavors.
 */
export function novaFirstStart(stateDir: string, config: Config = loadConfig(layout(stateDir).config)): NovaFirstStartResult {
  const settings = dbSettings(config);
  const apiDb = openApiDb(stateDir, settings);
  const cells = new CellMappings(apiDb, stateDir, settings);
  const { created: cell0Created } = cells.mapCell0();
  const bus = config.str("DEFAULT", "transport_url");
  let cell1 = cells.byName("cell1");
  let cell1Created = false;
  if (!cell1) {
    cell1 = cells.createCell("cell1", bus, "sqlite:///nova.sqlite");
    cell1Created = true;
  } else if (cell1.transport_url !== bus) {
    apiDb.prepare("UPDATE cell_mappings SET transport_url = ?, updated_at = ? WHERE id = ?").run(bus, utcNow(), cell1.id);
  }
  cells.db(cell1);
  const flavorsCreated: string[] = [];
  if (cell1Created)
    for (const f of DEFAULT_FLAVORS) {
      if (flavorByFlavorId(apiDb, f.flavorid) || flavorByName(apiDb, f.name)) continue;
      createFlavor(apiDb, { ...f, is_public: true });
      flavorsCreated.push(f.name);
    }
  return { cell0Created, cell1Created, flavorsCreated };
}
