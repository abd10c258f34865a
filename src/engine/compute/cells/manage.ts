import { loadConfig } from "../../common/config/config.js";
import { layout, stateDir } from "../../common/paths.js";
import { CellMappings } from "./mappings.js";
import { dbSettings, openApiDb } from "../db/open.js";

/** nova-manage's view of the deployment: the state dir's config and its nova_api database. */
export function cellMappingsFor(stateDirFlag: string | undefined, set: string[] = []): { cells: CellMappings; transportUrl: string } {
  const dir = stateDir(stateDirFlag);
  const config = loadConfig(layout(dir).config, set);
  const settings = dbSettings(config);
  return { cells: new CellMappings(openApiDb(dir, settings), dir, settings), transportUrl: config.str("DEFAULT", "transport_url") };
}
