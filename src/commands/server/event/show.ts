import { Args } from "@oclif/core";
import { type ComputeApi, type Resource, sortedObject } from "../../../client/compute.js";
import { CommandError } from "../../../client/identity.js";
import { ComputeCommand } from "../../../cli/compute-command.js";

const UUID = /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i;

/** The server's ID; a deleted server's events are still there by its UUID (2.21+). */
export async function serverIdForEvents(compute: ComputeApi, nameOrId: string): Promise<string> {
  try {
    return String((await compute.findServer(nameOrId)).id);
  } catch (e) {
    if (e instanceof CommandError && UUID.test(nameOrId)) return nameOrId;
    throw e;
  }
}

export default class ServerEventShow extends ComputeCommand<typeof ServerEventShow> {
  static override summary = "Show server event details.";
  static override description =
    "Specify ``--os-compute-api-version 2.21`` or higher to show event details for a deleted server, specified by ID only. Specify ``--os-compute-api-version 2.51`` or higher to show event details for non-admin users.";
  static override args = {
    server: Args.string({ required: true, description: "Server to show event details (name or ID)" }),
    "request-id": Args.string({ required: true, description: "Request ID of the event to show (ID only)" }),
  };

  async run(): Promise<void> {
    const compute = this.compute();
    const id = await serverIdForEvents(compute, this.args.server);
    const body = await compute.get<{ instanceAction: Resource }>(
      `/servers/${id}/os-instance-actions/${encodeURIComponent(this.args["request-id"])}`,
    );
    await this.printOne(sortedObject(body.instanceAction ?? {}));
  }
}
