import { Args, Flags } from "@oclif/core";
import { type Resource, SDK_MAX } from "../../../client/compute.js";
import { ComputeCommand } from "../../../cli/compute-command.js";

export default class ComputeServiceSet extends ComputeCommand<typeof ComputeServiceSet> {
  static override summary = "Set compute service properties";
  static override args = {
    host: Args.string({ required: true, description: "Name of host" }),
    service: Args.string({ required: true, description: "Name of service (Binary name), for example ``nova-compute``" }),
  };
  static override flags = {
    enable: Flags.boolean({ summary: "Enable service", exclusive: ["disable"] }),
    disable: Flags.boolean({ summary: "Disable service" }),
    "disable-reason": Flags.string({ summary: "Reason for disabling the service (in quotes). Should be used with --disable option." }),
    up: Flags.boolean({ summary: "Force up service. Requires ``--os-compute-api-version`` 2.11 or greater.", exclusive: ["down"] }),
    down: Flags.boolean({ summary: "Force down service. Requires ``--os-compute-api-version`` 2.11 or greater." }),
  };

  async run(): Promise<void> {
    const f = this.flags;
    const { host, service: binary } = this.args;
    if ((f.enable || !f.disable) && f["disable-reason"])
      throw new Error("Cannot specify option --disable-reason without --disable specified.");
    const compute = await this.sdk(SDK_MAX.service);
    let serviceId: string | undefined;
    if (compute.atLeast("2.53")) {
      const found = (await compute.get<{ services: Resource[] }>("/os-services", { host, binary })).services ?? [];
      if (found.length === 0) throw new Error(`Compute service for host "${host}" and binary "${binary}" not found.`);
      if (found.length > 1)
        throw new Error(`Multiple compute services found for host "${host}" and binary "${binary}". Unable to proceed.`);
      serviceId = String(found[0]?.id);
    }
    // 2.53+: PUT /os-services/{id}; before: the enable/disable/force-down sub-resources by host and binary.
    const update = (legacy: string, legacyBody: Record<string, unknown>, body: Record<string, unknown>) =>
      serviceId
        ? compute.call("PUT", `/os-services/${serviceId}`, { body })
        : compute.call("PUT", `/os-services/${legacy}`, { body: { host, binary, ...legacyBody } });
    let failed = 0;
    if (f.enable || f.disable) {
      try {
        if (f.enable) await update("enable", {}, { status: "enabled" });
        else if (f["disable-reason"])
          await update(
            "disable-log-reason",
            { disabled_reason: f["disable-reason"] },
            { status: "disabled", disabled_reason: f["disable-reason"] },
          );
        else await update("disable", {}, { status: "disabled" });
      } catch (e) {
        process.stderr.write(`Failed to set service status to ${f.enable ? "enabled" : "disabled"}: ${(e as Error).message}\n`);
        failed++;
      }
    }
    if (f.up || f.down) {
      if (!compute.atLeast("2.11")) throw new Error("--os-compute-api-version 2.11 or later is required");
      try {
        await update("force-down", { forced_down: Boolean(f.down) }, { forced_down: Boolean(f.down) });
      } catch (e) {
        process.stderr.write(`Failed to set service state to ${f.down ? "down" : "up"}: ${(e as Error).message}\n`);
        failed++;
      }
    }
    if (failed) throw new Error(`Compute service ${binary} of host ${host} failed to set.`);
  }
}
