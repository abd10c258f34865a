import type { Row } from "../../cli/output.js";
import type { Image, Member } from "./cli-client.js";

/** Fields python-openstackclient shows as such; every other attribute goes under `properties`. */
const SHOWN = [
  "status",
  "name",
  "container_format",
  "created_at",
  "size",
  "disk_format",
  "updated_at",
  "visibility",
  "min_disk",
  "protected",
  "id",
  "file",
  "checksum",
  "owner",
  "virtual_size",
  "min_ram",
  "schema",
];
/** What openstacksdk's Image resource never reports as a property. */
const NOT_PROPERTIES = new Set(["tags", "self", "location", "locations", "direct_url", "stores"]);

const machine = (format: string) => format === "json" || format === "yaml";

/** osc-lib's format_dict: `k='v', …` sorted by key. */
export function formatDict(d: Record<string, unknown>): string {
  return Object.keys(d)
    .sort()
    .map((k) => `${k}='${pyStr(d[k])}'`)
    .join(", ");
}
/** osc-lib's format_list: sorted, comma separated. */
export function formatList(l: unknown[]): string {
  return [...l].map(String).sort().join(", ");
}
function pyStr(v: unknown): string {
  if (v === true) return "True";
  if (v === false) return "False";
  if (v === null || v === undefined) return "None";
  return typeof v === "object" ? JSON.stringify(v) : String(v);
}

/**
 * `openstack image show/create` (OSC 6.0's _format_image): attributes the SDK knows, None values
 * dropped, the rest flattened into `properties`; fields sorted by name; tags and properties printed
 * as osc-lib's list and dict columns (raw list/dict for json and yaml).
 */
export function formatImage(img: Image, format: string): Row {
  const info: Record<string, unknown> = {};
  const properties: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(img)) {
    if (v === null || v === undefined) continue;
    if (SHOWN.includes(k)) info[k] = v;
    else if (!NOT_PROPERTIES.has(k)) properties[k] = v;
  }
  const tags = (img.tags as string[] | undefined) ?? [];
  info.tags = machine(format) ? tags : formatList(tags);
  if (Object.keys(properties).length) info.properties = machine(format) ? properties : formatDict(properties);
  return Object.fromEntries(
    Object.keys(info)
      .sort()
      .map((k) => [k, info[k] as Row[string]]),
  );
}

/** `openstack image add project`: the member's attributes, sorted. */
export function formatMember(m: Member): Row {
  return Object.fromEntries(["created_at", "image_id", "member_id", "schema", "status", "updated_at"].map((k) => [k, m[k] as Row[string]]));
}

export const LIST_COLUMNS = ["ID", "Name", "Status"];
export const LONG_COLUMNS = [
  "ID",
  "Name",
  "Disk Format",
  "Container Format",
  "Size",
  "Checksum",
  "Status",
  "Visibility",
  "Protected",
  "Project",
  "Tags",
];

export function listRow(img: Image, format: string): Row {
  const tags = (img.tags as string[] | undefined) ?? [];
  return {
    ID: img.id,
    Name: img.name,
    "Disk Format": img.disk_format,
    "Container Format": img.container_format,
    Size: img.size,
    Checksum: img.checksum,
    Status: img.status,
    Visibility: img.visibility,
    Protected: img.protected,
    Project: img.owner,
    Tags: machine(format) ? tags : formatList(tags),
  };
}
