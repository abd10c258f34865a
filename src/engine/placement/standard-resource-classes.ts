/**
 * The standard resource classes (os-resource-classes), in their canonical order: a class's index here is
 * its id, as Placement numbers them. Custom classes (CUSTOM_*) get ids from CUSTOM_ID_BASE up.
 */
export const STANDARD_RESOURCE_CLASSES = [
  "VCPU",
  "MEMORY_MB",
  "DISK_GB",
  "PCI_DEVICE",
  "SRIOV_NET_VF",
  "NUMA_SOCKET",
  "NUMA_CORE",
  "NUMA_THREAD",
  "NUMA_MEMORY_MB",
  "IPV4_ADDRESS",
  "VGPU",
  "VGPU_DISPLAY_HEAD",
  "NET_BW_EGR_KILOBIT_PER_SEC",
  "NET_BW_IGR_KILOBIT_PER_SEC",
  "PCPU",
  "MEM_ENCRYPTION_CONTEXT",
  "FPGA",
  "PGPU",
  "NET_PACKET_RATE_KILOPACKET_PER_SEC",
  "NET_PACKET_RATE_EGR_KILOPACKET_PER_SEC",
  "NET_PACKET_RATE_IGR_KILOPACKET_PER_SEC",
] as const;

export const CUSTOM_ID_BASE = 10000;
export const CUSTOM_PREFIX = "CUSTOM_";
/** What a custom class or trait name may look like after the prefix. */
export const CUSTOM_NAME = /^CUSTOM_[A-Z0-9_]+$/;
export const isStandardResourceClass = (name: string) => (STANDARD_RESOURCE_CLASSES as readonly string[]).includes(name);
