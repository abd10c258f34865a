import type { Image, ImageMember } from "./repository.js";

/** Glance prints timestamps to the second, in UTC with a Z. */
export const glanceTime = (iso: string) => iso.replace(/\.\d+Z$/, "Z");

/**
 * An image as the API returns it: base attributes, then every additional property as a top-level
 * string (a property can never shadow a base attribute), and the self/file/schema links.
 */
export function imageView(img: Image): Record<string, unknown> {
  // A fixed-shape literal first, then the properties: spreading them first made every view a slow,
  // dictionary-mode object (a third of a 1,000-image list's time).
  const view: Record<string, unknown> = {
    id: img.id,
    name: img.name,
    status: img.status,
    visibility: img.visibility,
    protected: img.protected,
    os_hidden: img.os_hidden,
    checksum: img.checksum,
    os_hash_algo: img.os_hash_algo,
    os_hash_value: img.os_hash_value,
    owner: img.owner,
    size: img.size,
    virtual_size: img.virtual_size,
    min_ram: img.min_ram,
    min_disk: img.min_disk,
    disk_format: img.disk_format,
    container_format: img.container_format,
    created_at: glanceTime(img.created_at),
    updated_at: glanceTime(img.updated_at),
    tags: img.tags,
    self: `/v2/images/${img.id}`,
    file: `/v2/images/${img.id}/file`,
    schema: "/v2/schemas/image",
  };
  // Own keys only: `in` would also hide properties named like Object.prototype's members (constructor, …).
  for (const key of Object.keys(img.properties))
    if (!Object.hasOwn(view, key))
      Object.defineProperty(view, key, { value: img.properties[key], enumerable: true, writable: true, configurable: true });
  return view;
}

export function memberView(m: ImageMember): Record<string, unknown> {
  return {
    created_at: glanceTime(m.created_at),
    image_id: m.image_id,
    member_id: m.member,
    schema: "/v2/schemas/member",
    status: m.status,
    updated_at: glanceTime(m.updated_at),
  };
}
