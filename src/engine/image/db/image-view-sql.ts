/**
 * views.ts's imageView, as one SQL expression over an `images i` row: the same keys in the same order
 * (base attributes, then the custom properties by name), the same values. The list statement selects it
 * so SQLite hands back each image as JSON text; test/image/list-view-sql.test.ts holds the two equal.
 * Tags and properties are aggregated from subqueries ordered by an index (ix_image_tags_image_id, the
 * properties' unique key) rather than with ORDER BY inside the aggregate, which sorts once per image:
 * SQLite feeds an aggregate an ordered subquery's rows in order (the query plan shows no sorter).
 */

/** Attributes the view always has: a property of the same name never shows (views.ts skips it too). */
export const VIEW_BASE_KEYS = [
  "id",
  "name",
  "status",
  "visibility",
  "protected",
  "os_hidden",
  "checksum",
  "os_hash_algo",
  "os_hash_value",
  "owner",
  "size",
  "virtual_size",
  "min_ram",
  "min_disk",
  "disk_format",
  "container_format",
  "created_at",
  "updated_at",
  "tags",
  "self",
  "file",
  "schema",
] as const;

/** glanceTime: ISO time without its fraction of a second. */
const glanceTime = (col: string) => `CASE WHEN ${col} GLOB '*.*Z' THEN substr(${col}, 1, instr(${col}, '.') - 1) || 'Z' ELSE ${col} END`;
const bool = (col: string) => `json(CASE WHEN ${col} THEN 'true' ELSE 'false' END)`;
const quoted = (s: string) => `'${s.replace(/'/g, "''")}'`;

const BASE_OBJECT = `json_object(
  'id', i.id, 'name', i.name, 'status', i.status, 'visibility', i.visibility,
  'protected', ${bool("i.protected")}, 'os_hidden', ${bool("i.os_hidden")},
  'checksum', i.checksum, 'os_hash_algo', i.os_hash_algo, 'os_hash_value', i.os_hash_value, 'owner', i.owner,
  'size', i.size, 'virtual_size', i.virtual_size, 'min_ram', i.min_ram, 'min_disk', i.min_disk,
  'disk_format', i.disk_format, 'container_format', i.container_format,
  'created_at', ${glanceTime("i.created_at")}, 'updated_at', ${glanceTime("i.updated_at")},
  'tags', json((SELECT json_group_array(value) FROM (SELECT t.value FROM image_tags t WHERE t.image_id = i.id ORDER BY t.id))),
  'self', '/v2/images/' || i.id, 'file', '/v2/images/' || i.id || '/file', 'schema', '/v2/schemas/image')`;

/** `,"k":"v",…` for the custom properties (in repository.hydrate's order: by name), or ''. */
const PROPERTIES = `coalesce((SELECT ',' || group_concat(json_quote(name) || ':' || json_quote(value), ',') FROM (
  SELECT p.name, p.value FROM image_properties p
  WHERE p.image_id = i.id AND p.name NOT IN (${VIEW_BASE_KEYS.map(quoted).join(", ")}) ORDER BY p.name)), '')`;

/** The base object with its closing brace moved after the properties (it ends with the fixed `"schema":"…"}`). */
export const IMAGE_VIEW_SQL = `rtrim(${BASE_OBJECT}, '}') || ${PROPERTIES} || '}'`;
