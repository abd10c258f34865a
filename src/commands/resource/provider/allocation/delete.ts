import { Args } from "@oclif/core";
import { PlacementCommand } from "../../../../cli/placement-command.js";

export default class ResourceProviderAllocationDelete extends PlacementCommand<typeof ResourceProviderAllocationDelete> {
  static override summary = "Delete all resource allocations for a given consumer.";
  static override args = { uuid: Args.string({ required: true, description: "UUID of the consumer" }) };

  async run(): Promise<void> {
    await this.placement("DELETE", `/allocations/${encodeURIComponent(this.args.uuid)}`);
  }
}
