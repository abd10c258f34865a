import type { HostState } from "./host-state.js";

/** A weigher's raw value of a host (nova.scheduler.weights.BaseHostWeigher._weigh_object). */
export type Weigher = (h: HostState) => number;

export const WEIGHERS: Record<string, { weigh: Weigher; multiplier: string }> = {
  /** More free RAM ranks higher (spreading) with a positive multiplier. */
  RAMWeigher: { weigh: (h) => h.free_ram_mb, multiplier: "ram_weight_multiplier" },
  /** More free VCPUs ranks higher. */
  CPUWeigher: { weigh: (h) => h.vcpus_total - h.vcpus_used, multiplier: "cpu_weight_multiplier" },
  /** More free disk ranks higher. */
  DiskWeigher: { weigh: (h) => h.free_disk_mb, multiplier: "disk_weight_multiplier" },
};

/**
 * Nova's weighing: each weigher's values are normalised to [0, 1] across the hosts, multiplied by the
 * weigher's multiplier and summed; hosts are returned best first (ties keep their order).
 */
export function weighHosts(
  hosts: HostState[],
  weighers: Array<{ name: string; weigh: Weigher; multiplier: number }>,
): Array<{ host: HostState; weight: number }> {
  const totals = hosts.map(() => 0);
  for (const w of weighers) {
    const raw = hosts.map((h) => w.weigh(h));
    const min = Math.min(...raw);
    const max = Math.max(...raw);
    raw.forEach((v, i) => {
      const normalised = max === min ? 0 : (v - min) / (max - min);
      totals[i] = (totals[i] ?? 0) + normalised * w.multiplier;
    });
  }
  return hosts.map((host, i) => ({ host, weight: totals[i] ?? 0 })).sort((a, b) => b.weight - a.weight);
}
