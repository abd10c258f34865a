import { Flags } from "@oclif/core";
import { ClientCommand } from "../../../cli/client-command.js";
import { setFlag } from "../../../cli/flags.js";
import { ApiError } from "../../../client/errors.js";
import { cellMappingsFor } from "../../../engine/compute/cells/manage.js";
import type { CellMappings } from "../../../engine/compute/cells/mappings.js";

/** nova-manage placement audit's return codes. */
const EXIT = { clean: 0, error: 1, orphansFound: 3, orphansDeleted: 4 } as const;
/** 1.28: consumer generations, so a delete never races a concurrent writer of the same consumer. */
const MICROVERSION = "1.28";

type Resources = Record<string, number>;

/**
 * Why a consumer's allocation is legitimate, or undefined when nothing in Nova owns it (orphaned):
 * a live instance in its cell, an instance still being scheduled (build request), or a migration.
 */
function owner(cells: CellMappings, consumer: string): string | undefined {
  const mapping = cells.instanceCell(consumer);
  if (mapping?.cell) {
    const row = cells.db(mapping.cell).prepare("SELECT deleted FROM instances WHERE uuid = ?").get(consumer) as
      | { deleted: number }
      | undefined;
    if (row && row.deleted === 0) return `instance in cell ${mapping.cell.name ?? mapping.cell.uuid}`;
  } else if (mapping) {
    return "instance being scheduled";
  }
  for (const cell of cells.realCells()) {
    const migration = cells.db(cell).prepare("SELECT status FROM migrations WHERE uuid = ?").get(consumer) as
      | { status: string }
      | undefined;
    if (migration) return `migration (${migration.status})`;
  }
  return undefined;
}

export default class PlacementAudit extends ClientCommand<typeof PlacementAudit> {
  static override summary = "Find (and optionally delete) orphaned allocations in Placement (nova-manage placement audit).";
  static override description =
    "Walks every resource provider (or the one given) and checks each consumer holding an allocation there against Nova's " +
    "databases: a consumer that is no live instance, no instance being scheduled and no migration is orphaned. " +
    "Exit codes: 0 no orphaned allocations, 1 the audit could not complete, 3 orphaned allocations found, " +
    "4 every orphaned allocation found was deleted (--delete).";
  static override examples = [
    "<%= config.bin %> manage placement audit --verbose",
    "<%= config.bin %> manage placement audit --delete",
    "<%= config.bin %> manage placement audit --resource-provider 3f1c4c1e-3d4b-4e3a-9a52-8f0c4f4b2a10",
  ];
  static override flags = {
    set: setFlag,
    verbose: Flags.boolean({ char: "v", summary: "Print each allocation checked, not only the orphaned ones." }),
    delete: Flags.boolean({ summary: "Delete the orphaned allocations found." }),
    "resource-provider": Flags.string({ aliases: ["resource_provider"], summary: "Only audit this resource provider (UUID)." }),
  };

  async run(): Promise<void> {
    const stateDir = (this.flags as unknown as Record<string, string | undefined>)["state-dir"];
    const { cells } = cellMappingsFor(stateDir, this.flags.set ?? []);
    const session = this.session();
    const get = async (path: string) => (await session.request("placement", "GET", path, { microversion: MICROVERSION })).body;

    let providers: Array<{ uuid: string; name: string }>;
    const only = this.flags["resource-provider"];
    if (only) {
      try {
        providers = [await get(`/resource_providers/${encodeURIComponent(only)}`)];
      } catch (e) {
        if (e instanceof ApiError && e.status === 404) this.error(`Resource provider with UUID ${only} does not exist.`, { exit: 127 });
        throw e;
      }
    } else providers = (await get("/resource_providers")).resource_providers;

    let checked = 0;
    let orphaned = 0;
    let deleted = 0;
    let faults = 0;
    for (const rp of providers) {
      const allocations = (await get(`/resource_providers/${rp.uuid}/allocations`)).allocations as Record<string, { resources: Resources }>;
      for (const [consumer, { resources }] of Object.entries(allocations)) {
        checked++;
        const why = owner(cells, consumer);
        if (why) {
          if (this.flags.verbose)
            this.log(
              `Allocation of consumer ${consumer} on resource provider ${rp.uuid} belongs to an ${why}: ${JSON.stringify(resources)}`,
            );
          continue;
        }
        orphaned++;
        this.log(`Allocations for consumer UUID ${consumer} on Resource Provider ${rp.uuid} can be deleted: ${JSON.stringify(resources)}`);
        if (!this.flags.delete) continue;
        if (await this.removeFromProvider(consumer, rp.uuid)) {
          deleted++;
          this.log(`Deleted allocations for consumer UUID ${consumer} on Resource Provider ${rp.uuid}: ${JSON.stringify(resources)}`);
        } else faults++;
      }
    }
    this.log(`Processed ${checked} allocation${checked === 1 ? "" : "s"}.`);
    if (faults) process.exitCode = EXIT.error;
    else if (orphaned === 0) process.exitCode = EXIT.clean;
    else process.exitCode = this.flags.delete && deleted === orphaned ? EXIT.orphansDeleted : EXIT.orphansFound;
  }

  /**
   * Drop this provider from the consumer's allocations (the consumer may legitimately hold others),
   * with its consumer generation; one retry after a concurrent change.
   */
  private async removeFromProvider(consumer: string, rpUuid: string): Promise<boolean> {
    const session = this.session();
    for (let attempt = 0; attempt < 3; attempt++) {
      const current = (await session.request("placement", "GET", `/allocations/${consumer}`, { microversion: MICROVERSION })).body;
      const rest = { ...(current.allocations as Record<string, { resources: Resources }>) };
      if (!(rpUuid in rest)) return true;
      delete rest[rpUuid];
      try {
        if (Object.keys(rest).length === 0)
          await session.request("placement", "DELETE", `/allocations/${consumer}`, { microversion: MICROVERSION });
        else
          await session.request("placement", "PUT", `/allocations/${consumer}`, {
            microversion: MICROVERSION,
            body: {
              allocations: Object.fromEntries(Object.entries(rest).map(([rp, a]) => [rp, { resources: a.resources }])),
              project_id: current.project_id,
              user_id: current.user_id,
              consumer_generation: current.consumer_generation,
            },
          });
        return true;
      } catch (e) {
        if (e instanceof ApiError && (e.status === 409 || e.status === 404)) continue;
        process.stderr.write(`Failed to delete allocations for consumer UUID ${consumer}: ${(e as Error).message.split("\n")[0]}\n`);
        return false;
      }
    }
    return false;
  }
}
