import { Args } from "@oclif/core";
import { PlacementCommand } from "../../../../cli/placement-command.js";

export default class ResourceProviderAllocationShow extends PlacementCommand<typeof ResourceProviderAllocationShow> {
  static override summary = "Show resource allocations for a given consumer.";
  static override description = "From 1.12 the output has project_id and user_id, from 1.38 consumer_type.";
  static override args = { uuid: Args.string({ required: true, description: "UUID of the consumer" }) };

  async run(): Promise<void> {
    const body = await this.placement("GET", `/allocations/${encodeURIComponent(this.args.uuid)}`);
    await this.printAllocations(body);
  }
}
