import { Ajv, type ErrorObject, type ValidateFunction } from "ajv";
import { HttpError } from "../../common/http/errors.js";

const ajv = new Ajv({ allErrors: false, strict: false });
// Nova's 'name' format: printable, no leading or trailing whitespace.
ajv.addFormat("name", { type: "string", validate: (v: string) => v.trim() === v && !/[\x00-\x1f]/.test(v) });
ajv.addFormat("uuid", /^[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}$/);

const cache = new WeakMap<object, ValidateFunction>();

const show = (v: unknown) => (typeof v === "string" ? `'${v}'` : JSON.stringify(v));

/** The message python-jsonschema would give for this error (what Nova puts in its 400s). */
function jsonschemaMessage(e: ErrorObject, value: unknown): string {
  const p = e.params as Record<string, any>;
  switch (e.keyword) {
    case "required":
      return `'${p.missingProperty}' is a required property`;
    case "additionalProperties":
      return `Additional properties are not allowed ('${p.additionalProperty}' was unexpected)`;
    case "type":
      return `${show(value)} is not of type '${Array.isArray(p.type) ? p.type.join("', '") : p.type}'`;
    case "minLength":
      return `${show(value)} is too short`;
    case "maxLength":
      return `${show(value)} is too long`;
    case "minimum":
      return `${show(value)} is less than the minimum of ${p.limit}`;
    case "maximum":
      return `${show(value)} is greater than the maximum of ${p.limit}`;
    case "enum":
      return `${show(value)} is not one of ${JSON.stringify(p.allowedValues)}`;
    case "pattern":
      return `${show(value)} does not match '${p.pattern}'`;
    case "format":
      if (p.format === "name")
        return `An invalid 'name' value was provided. The name must be: printable characters. Can not start or end with whitespace.`;
      return `${show(value)} is not a '${p.format}'`;
    case "minItems":
      return `${show(value)} is too short`;
    case "maxItems":
      return `${show(value)} is too long`;
    case "uniqueItems":
      return `${show(value)} has non-unique elements`;
    case "minProperties":
      return `${show(value)} does not have enough properties`;
    case "maxProperties":
      return `${show(value)} has too many properties`;
    case "oneOf":
    case "anyOf":
      return `${show(value)} is not valid under any of the given schemas`;
    default:
      return e.message ?? "is invalid";
  }
}

function valueAt(body: unknown, pointer: string): unknown {
  let v: any = body;
  for (const part of pointer.split("/").slice(1)) v = v?.[part.replace(/~1/g, "/").replace(/~0/g, "~")];
  return v;
}

/**
 * Nova's @validation.schema: the body must match the JSON schema, else 400 "Invalid input for
 * field/attribute <last path element>. Value: <value>. <jsonschema message>" (just the message at the root).
 */
export function validate(schema: object, body: unknown): void {
  let fn = cache.get(schema);
  if (!fn) {
    fn = ajv.compile(schema);
    cache.set(schema, fn);
  }
  if (fn(body)) return;
  const e = (fn.errors ?? [])[0];
  if (!e) throw new HttpError(400, "Invalid input.");
  const value = valueAt(body, e.instancePath);
  const message = jsonschemaMessage(e, value);
  const path = e.instancePath.split("/").filter(Boolean);
  const last = path.pop();
  if (last === undefined) throw new HttpError(400, message);
  throw new HttpError(
    400,
    `Invalid input for field/attribute ${last}. Value: ${typeof value === "string" ? value : JSON.stringify(value)}. ${message}`,
  );
}
