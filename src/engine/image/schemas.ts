import { Ajv, type ErrorObject, type ValidateFunction } from "ajv";
import { badRequest } from "./errors.js";
import { IMAGE_STATUSES, MEMBER_STATUSES, VISIBILITIES } from "./repository.js";

/** Glance's default [image_format] disk_formats and container_formats. */
export const DISK_FORMATS = ["ami", "ari", "aki", "vhd", "vhdx", "vmdk", "raw", "qcow2", "vdi", "iso", "ploop"] as const;
export const CONTAINER_FORMATS = ["ami", "ari", "aki", "bare", "ovf", "ova", "docker", "compressed"] as const;

const UUID = "^([0-9a-fA-F]){8}-([0-9a-fA-F]){4}-([0-9a-fA-F]){4}-([0-9a-fA-F]){4}-([0-9a-fA-F]){12}$";

const str = (description: string, extra: Record<string, unknown> = {}) => ({ type: "string", description, ...extra });
const nullableStr = (description: string, extra: Record<string, unknown> = {}) => ({ type: ["null", "string"], description, ...extra });
const readOnly = (o: Record<string, unknown>) => ({ ...o, readOnly: true });

/** The image entity as `GET /v2/schemas/image` describes it (base properties; any other property is a string). */
export const IMAGE_PROPERTIES: Record<string, Record<string, unknown>> = {
  id: str("An identifier for the image", { pattern: UUID }),
  name: nullableStr("Descriptive name for the image", { maxLength: 255 }),
  status: readOnly(str("Status of the image", { enum: [...IMAGE_STATUSES] })),
  visibility: str("Scope of image accessibility", { enum: [...VISIBILITIES] }),
  protected: { type: "boolean", description: "If true, image will not be deletable." },
  os_hidden: { type: "boolean", description: "If true, image will not appear in default image list response." },
  checksum: readOnly(nullableStr("md5 hash of image contents.", { maxLength: 32 })),
  os_hash_algo: readOnly(nullableStr("Algorithm to calculate the os_hash_value", { maxLength: 64 })),
  os_hash_value: readOnly(
    nullableStr("Hexdigest of the image contents using the algorithm specified by the os_hash_algo", { maxLength: 128 }),
  ),
  owner: nullableStr("Owner of the image", { maxLength: 255 }),
  size: readOnly({ type: ["null", "integer"], description: "Size of image file in bytes" }),
  virtual_size: readOnly({ type: ["null", "integer"], description: "Virtual size of image in bytes" }),
  container_format: { type: ["null", "string"], description: "Format of the container", enum: [null, ...CONTAINER_FORMATS] },
  disk_format: { type: ["null", "string"], description: "Format of the disk", enum: [null, ...DISK_FORMATS] },
  created_at: readOnly(str("Date and time of image registration")),
  updated_at: readOnly(str("Date and time of the last image modification")),
  tags: { type: "array", description: "List of strings related to the image", items: { type: "string", maxLength: 255 } },
  direct_url: readOnly(str("URL to access the image file kept in external store")),
  min_ram: { type: "integer", description: "Amount of ram (in MB) required to boot image.", minimum: 0, maximum: 2147483647 },
  min_disk: { type: "integer", description: "Amount of disk space (in GB) required to boot image.", minimum: 0, maximum: 2147483647 },
  self: readOnly(str("An image self url")),
  file: readOnly(str("An image file url")),
  stores: readOnly(str("Store in which image data resides.")),
  schema: readOnly(str("An image schema url")),
  locations: { type: "array", description: "A set of URLs to access the image file kept in external store", items: { type: "object" } },
  // Well-known additional properties Glance's schema names (all strings).
  kernel_id: nullableStr("ID of image stored in Glance that should be used as the kernel when booting an AMI-style image.", {
    pattern: UUID,
  }),
  ramdisk_id: nullableStr("ID of image stored in Glance that should be used as the ramdisk when booting an AMI-style image.", {
    pattern: UUID,
  }),
  instance_uuid: str("Metadata which can be used to record which instance this image is associated with."),
  architecture: str(
    "Operating system architecture as specified in https://docs.openstack.org/python-glanceclient/latest/cli/property-keys.html",
  ),
  os_distro: str("Common name of operating system distribution"),
  os_version: str("Operating system version as specified by the distributor."),
  description: str("A human-readable string describing this image."),
  cinder_encryption_key_id: str(
    "Identifier in the OpenStack Key Management Service for the encryption key for the Block Storage Service to use when mounting a volume created from this image",
  ),
  cinder_encryption_key_deletion_policy: str(
    "States the condition under which the Image Service will delete the object associated with the 'cinder_encryption_key_id' image property.",
    {
      enum: ["on_image_deletion", "do_not_delete"],
    },
  ),
};

const links = (rels: Array<[string, string]>) => rels.map(([rel, href]) => ({ rel, href }));

export const IMAGE_SCHEMA = {
  name: "image",
  properties: IMAGE_PROPERTIES,
  additionalProperties: { type: "string" },
  links: links([
    ["self", "{self}"],
    ["enclosure", "{file}"],
    ["describedby", "{schema}"],
  ]),
};

export const IMAGES_SCHEMA = {
  name: "images",
  properties: {
    images: { type: "array", items: IMAGE_SCHEMA },
    schema: { type: "string" },
    first: { type: "string" },
    next: { type: "string" },
  },
  links: links([
    ["first", "{first}"],
    ["next", "{next}"],
    ["describedby", "{schema}"],
  ]),
};

export const MEMBER_SCHEMA = {
  name: "member",
  properties: {
    created_at: { type: "string", description: "Date and time of image member creation" },
    image_id: { type: "string", description: "An identifier for the image", pattern: UUID },
    member_id: { type: "string", description: "An identifier for the image member (tenantId)" },
    status: { type: "string", description: "The status of this image member", enum: [...MEMBER_STATUSES] },
    updated_at: { type: "string", description: "Date and time of last modification of image member" },
    schema: { type: "string", readOnly: true },
  },
};

export const MEMBERS_SCHEMA = {
  name: "members",
  properties: { members: { type: "array", items: MEMBER_SCHEMA }, schema: { type: "string" } },
  links: links([["describedby", "{schema}"]]),
};

export const READ_ONLY_PROPERTIES = Object.entries(IMAGE_PROPERTIES)
  .filter(([, spec]) => spec.readOnly)
  .map(([k]) => k);

// The validators: ajv over the same documents, with additional properties as strings, as Glance's
// jsonschema validation does. `readOnly` is an annotation here; read-only checks are the API's.
const ajv = new Ajv({ allErrors: false, strict: false });
const validateImage = ajv.compile({
  type: "object",
  properties: IMAGE_PROPERTIES,
  additionalProperties: { type: "string", maxLength: 255 },
});
const validateMember = ajv.compile({ type: "object", properties: MEMBER_SCHEMA.properties });

/**
 * Python's repr() of a JSON value, which is how jsonschema quotes values in its messages. Nesting beyond
 * REPR_DEPTH is elided (as reprlib does), so a hostile, deeply nested body cannot overflow the stack.
 */
const REPR_DEPTH = 64;
export function pyRepr(v: unknown, depth = 0): string {
  if (v === null || v === undefined) return "None";
  if (v === true) return "True";
  if (v === false) return "False";
  if (typeof v === "string") return `'${v.replace(/\\/g, "\\\\").replace(/'/g, "\\'")}'`;
  if (typeof v === "number") return String(v);
  if (Array.isArray(v)) return depth >= REPR_DEPTH ? "[...]" : `[${v.map((x) => pyRepr(x, depth + 1)).join(", ")}]`;
  if (depth >= REPR_DEPTH) return "{...}";
  return `{${Object.entries(v as Record<string, unknown>)
    .map(([k, x]) => `${pyRepr(k)}: ${pyRepr(x, depth + 1)}`)
    .join(", ")}}`;
}

const PY_TYPES: Record<string, string> = {
  string: "string",
  integer: "integer",
  boolean: "boolean",
  array: "array",
  object: "object",
  null: "null",
  number: "number",
};

/** jsonschema's short message for the first error (what Glance puts after "does not match schema"). */
function jsonschemaMessage(err: ErrorObject, doc: unknown): string {
  let value: unknown = doc;
  for (const seg of err.instancePath.split("/").slice(1))
    value = (value as Record<string, unknown>)?.[seg.replace(/~1/g, "/").replace(/~0/g, "~")];
  const p = err.params as Record<string, unknown>;
  switch (err.keyword) {
    case "enum":
      return `${pyRepr(value)} is not one of ${pyRepr(p.allowedValues)}`;
    case "type": {
      const types = String(p.type)
        .split(",")
        .map((t) => `'${PY_TYPES[t] ?? t}'`);
      return `${pyRepr(value)} is not of type ${types.join(", ")}`;
    }
    case "maxLength":
      return `${pyRepr(value)} is too long`;
    case "minLength":
      return `${pyRepr(value)} is too short`;
    case "maximum":
      return `${pyRepr(value)} is greater than the maximum of ${p.limit}`;
    case "minimum":
      return `${pyRepr(value)} is less than the minimum of ${p.limit}`;
    case "pattern":
      return `${pyRepr(value)} does not match ${pyRepr(p.pattern)}`;
    default:
      return `${err.instancePath || "object"} ${err.message ?? "is invalid"}`;
  }
}

function check(validate: ValidateFunction, name: string, doc: unknown): void {
  if (validate(doc)) return;
  const err = validate.errors?.[0];
  throw badRequest(`Provided object does not match schema '${name}': ${err ? jsonschemaMessage(err, doc) : "invalid"}`);
}

/** Validate an image document (a create body, or an image after a PATCH): 400 in Glance's words. */
export const checkImage = (doc: unknown) => check(validateImage, "image", doc);
export const checkMember = (doc: unknown) => check(validateMember, "member", doc);
