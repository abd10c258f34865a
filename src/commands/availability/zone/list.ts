import { Flags } from "@oclif/core";
import type { Resource } from "../../../client/compute.js";
import { ApiError } from "../../../client/errors.js";
import { ComputeCommand } from "../../../cli/compute-command.js";

export default class AvailabilityZoneList extends ComputeCommand<typeof AvailabilityZoneList> {
  static override summary = "List availability zones and their status";
  static override flags = {
    compute: Flags.boolean({ summary: "List compute availability zones" }),
    network: Flags.boolean({ summary: "List network availability zones" }),
    volume: Flags.boolean({ summary: "List volume availability zones" }),
    long: Flags.boolean({ summary: "List additional fields in output" }),
  };

  async run(): Promise<void> {
    const f = this.flags;
    const cols = f.long
      ? ["Zone Name", "Zone Status", "Zone Resource", "Host Name", "Service Name", "Service Status"]
      : ["Zone Name", "Zone Status"];
    const all = !f.compute && !f.volume && !f.network;
    // This cloud runs no Block Storage or Networking service: like the openstack client, say so when asked.
    if (f.volume) process.stderr.write("Availability zones list not supported by Block Storage API\n");
    if (f.network) process.stderr.write("Availability zones list not supported by Network API\n");
    const rows: Array<Record<string, unknown>> = [];
    if (f.compute || all) {
      const compute = this.compute();
      let zones: Resource[];
      try {
        zones = (await compute.get<{ availabilityZoneInfo: Resource[] }>("/os-availability-zone/detail")).availabilityZoneInfo ?? [];
      } catch (e) {
        if (!(e instanceof ApiError) || e.status !== 403) throw e;
        zones = (await compute.get<{ availabilityZoneInfo: Resource[] }>("/os-availability-zone")).availabilityZoneInfo ?? [];
      }
      for (const z of zones) {
        const zone = {
          "Zone Name": z.zoneName,
          "Zone Status": z.zoneState?.available ? "available" : "not available",
          "Zone Resource": "",
        };
        if (!f.long) {
          rows.push(zone);
          continue;
        }
        const hosts = Object.entries((z.hosts ?? {}) as Record<string, Record<string, Resource>>);
        if (!hosts.length) rows.push({ ...zone, "Host Name": "", "Service Name": "", "Service Status": "" });
        for (const [host, services] of hosts)
          for (const [svc, st] of Object.entries(services))
            rows.push({
              ...zone,
              "Host Name": host,
              "Service Name": svc,
              "Service Status": `${st.active ? "enabled" : "disabled"} ${st.available ? ":-)" : "XXX"} ${st.updated_at}`,
            });
      }
    }
    await this.printList(cols, rows);
  }
}
