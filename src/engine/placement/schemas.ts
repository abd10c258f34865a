import { MAX_INT } from "./store/inventories.js";

/** Request body schemas, per microversion where the shape changed (placement/schemas, as data). */
const UUID = "^[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}$";
const uuid = { type: "string", pattern: UUID };
const rcName = { type: "string", pattern: "^[A-Z0-9_]+$", maxLength: 255 };
const nonNegative = { type: "integer", minimum: 0, maximum: MAX_INT };
const positive = { type: "integer", minimum: 1, maximum: MAX_INT };

export const providerCreate = (withParent: boolean) => ({
  type: "object",
  properties: {
    name: { type: "string", minLength: 1, maxLength: 200 },
    uuid,
    ...(withParent ? { parent_provider_uuid: { anyOf: [uuid, { type: "null" }] } } : {}),
  },
  required: ["name"],
  additionalProperties: false,
});
export const providerUpdate = (withParent: boolean) => ({
  type: "object",
  properties: {
    name: { type: "string", minLength: 1, maxLength: 200 },
    ...(withParent ? { parent_provider_uuid: { anyOf: [uuid, { type: "null" }] } } : {}),
  },
  required: ["name"],
  additionalProperties: false,
});

const inventoryFields = {
  total: positive,
  reserved: nonNegative,
  min_unit: positive,
  max_unit: positive,
  step_size: positive,
  allocation_ratio: { type: "number", exclusiveMinimum: 0, maximum: 3.40282e38 },
};
const inventoryRecord = { type: "object", properties: inventoryFields, required: ["total"], additionalProperties: false };
export const inventoriesPut = {
  type: "object",
  properties: {
    resource_provider_generation: { type: "integer" },
    inventories: { type: "object", patternProperties: { "^[A-Z0-9_]+$": inventoryRecord }, additionalProperties: false },
  },
  required: ["resource_provider_generation", "inventories"],
  additionalProperties: false,
};
export const inventoryPost = {
  type: "object",
  properties: { resource_class: rcName, resource_provider_generation: { type: "integer" }, ...inventoryFields },
  required: ["total", "resource_class", "resource_provider_generation"],
  additionalProperties: false,
};
export const inventoryPut = {
  type: "object",
  properties: { resource_provider_generation: { type: "integer" }, ...inventoryFields },
  required: ["total", "resource_provider_generation"],
  additionalProperties: false,
};

const resources = { type: "object", minProperties: 1, patternProperties: { "^[0-9A-Z_]+$": positive }, additionalProperties: false };
const owner = { type: "string", minLength: 1, maxLength: 255 };
const consumerType = { type: "string", pattern: "^[A-Z0-9_]+$", minLength: 1, maxLength: 255 };

/** PUT /allocations/{consumer} by microversion: list form (<1.12), dict form (1.12), + generation (1.28), + type (1.38). */
export function allocationsPut(v: { at(m: number): boolean }): object {
  if (!v.at(12)) {
    return {
      type: "object",
      properties: {
        allocations: {
          type: "array",
          minItems: 1,
          items: {
            type: "object",
            properties: {
              resource_provider: { type: "object", properties: { uuid }, required: ["uuid"], additionalProperties: false },
              resources,
            },
            required: ["resource_provider", "resources"],
            additionalProperties: false,
          },
        },
        ...(v.at(8) ? { project_id: owner, user_id: owner } : {}),
      },
      required: v.at(8) ? ["allocations", "project_id", "user_id"] : ["allocations"],
      additionalProperties: false,
    };
  }
  return consumerAllocations(v);
}

function consumerAllocations(v: { at(m: number): boolean }): object {
  const required = ["allocations", "project_id", "user_id"];
  if (v.at(28)) required.push("consumer_generation");
  if (v.at(38)) required.push("consumer_type");
  return {
    type: "object",
    properties: {
      allocations: {
        type: "object",
        ...(v.at(28) ? {} : { minProperties: 1 }),
        patternProperties: {
          [UUID]: {
            type: "object",
            properties: { generation: { type: "integer" }, resources },
            required: ["resources"],
            additionalProperties: false,
          },
        },
        additionalProperties: false,
      },
      project_id: owner,
      user_id: owner,
      ...(v.at(28) ? { consumer_generation: { type: ["integer", "null"], minimum: 0 } } : {}),
      ...(v.at(38) ? { consumer_type: consumerType } : {}),
    },
    required,
    additionalProperties: false,
  };
}

/** POST /allocations (1.13): consumer uuid → that consumer's allocations (empty = remove them). */
export function allocationsPost(v: { at(m: number): boolean }): object {
  const one = consumerAllocations(v) as { properties: { allocations: Record<string, unknown> } };
  const each = { ...one, properties: { ...one.properties, allocations: { ...one.properties.allocations, minProperties: 0 } } };
  return { type: "object", minProperties: 1, patternProperties: { [UUID]: each }, additionalProperties: false };
}

export const traitsPut = {
  type: "object",
  properties: {
    traits: { type: "array", items: { type: "string", pattern: "^[A-Z0-9_]+$", maxLength: 255 } },
    resource_provider_generation: { type: "integer" },
  },
  required: ["traits", "resource_provider_generation"],
  additionalProperties: false,
};

export const aggregatesPutLegacy = { type: "array", items: uuid, uniqueItems: true };
export const aggregatesPut = {
  type: "object",
  properties: { aggregates: aggregatesPutLegacy, resource_provider_generation: { type: "integer" } },
  required: ["aggregates", "resource_provider_generation"],
  additionalProperties: false,
};

export const resourceClassBody = {
  type: "object",
  properties: { name: { type: "string", pattern: "^CUSTOM_[A-Z0-9_]+$", maxLength: 255 } },
  required: ["name"],
  additionalProperties: false,
};

export function reshaper(v: { at(m: number): boolean }): object {
  return {
    type: "object",
    properties: {
      inventories: {
        type: "object",
        patternProperties: {
          [UUID]: {
            type: "object",
            properties: {
              resource_provider_generation: { type: "integer" },
              inventories: (inventoriesPut.properties as Record<string, object>).inventories,
            },
            required: ["resource_provider_generation", "inventories"],
            additionalProperties: false,
          },
        },
        additionalProperties: false,
      },
      allocations: { ...(allocationsPost(v) as object), minProperties: 0 },
    },
    required: ["inventories", "allocations"],
    additionalProperties: false,
  };
}
