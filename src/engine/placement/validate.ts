import { Ajv, type ErrorObject, type ValidateFunction } from "ajv";
import { HttpError } from "../common/http/errors.js";

/**
 * Request bodies are checked against JSON schemas, as placement does with jsonschema; a failure is a
 * 400 "JSON does not validate: …" worded like jsonschema's messages so clients see familiar text.
 */
const ajv = new Ajv({ allErrors: false, strict: false });
const cache = new WeakMap<object, ValidateFunction>();

/** The offending value as the message shows it; one nested too deep to serialise (a stack overflow) is named, not shown. */
function show(v: unknown): string {
  try {
    return JSON.stringify(v);
  } catch {
    return Array.isArray(v) ? "[...]" : "{...}";
  }
}

function describe(err: ErrorObject, data: unknown): string {
  const at = err.instancePath
    .split("/")
    .slice(1)
    .reduce<unknown>((v, k) => (v as Record<string, unknown>)?.[k], data);
  const shown = show(at);
  const p = err.params as Record<string, unknown>;
  switch (err.keyword) {
    case "required":
      return `'${p.missingProperty}' is a required property`;
    case "additionalProperties":
      return `Additional properties are not allowed ('${p.additionalProperty}' was unexpected)`;
    case "type":
      return `${shown} is not of type '${p.type}'`;
    case "minimum":
      return `${shown} is less than the minimum of ${p.limit}`;
    case "maximum":
      return `${shown} is greater than the maximum of ${p.limit}`;
    case "exclusiveMinimum":
      return `${shown} is less than or equal to the minimum of ${p.limit}`;
    case "pattern":
      return `${shown} does not match '${p.pattern}'`;
    case "minLength":
      return `${shown} is too short`;
    case "maxLength":
      return `${shown} is too long`;
    case "minProperties":
      return `${shown} does not have enough properties`;
    case "minItems":
      return `${shown} is too short`;
    case "enum":
      return `${shown} is not one of ${JSON.stringify(p.allowedValues)}`;
    default:
      return `${err.instancePath || "body"} ${err.message ?? "is invalid"}`;
  }
}

/**
 * Per-microversion schemas are built by functions, so the same schema arrives as a new object on every
 * request: compiled validators are also kept by the schema's text, or each request would pay a compile.
 */
const byText = new Map<string, ValidateFunction>();

export function validate<T>(schema: object, data: unknown): T {
  let fn = cache.get(schema);
  if (!fn) {
    const text = JSON.stringify(schema);
    fn = byText.get(text) ?? ajv.compile(schema);
    byText.set(text, fn);
    cache.set(schema, fn);
  }
  if (!fn(data)) {
    const err = fn.errors?.[0];
    throw new HttpError(400, `JSON does not validate: ${err ? describe(err, data) : "invalid body"}`);
  }
  return data as T;
}
