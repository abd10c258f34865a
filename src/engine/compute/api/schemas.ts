// Request body schemas, shaped like Nova's nova/api/openstack/compute/schemas (facts, not copies): the
// same required fields, types, limits and `additionalProperties: false`.

const name = { type: "string", minLength: 1, maxLength: 255, format: "name" };
const description = { type: ["string", "null"], minLength: 0, maxLength: 255 };
const uuid = { type: "string", format: "uuid" };
const positiveInt = { type: ["integer", "string"], pattern: "^[0-9]*$", minimum: 1, minLength: 1 };
const metadata = {
  type: "object",
  patternProperties: { "^[a-zA-Z0-9-_:. ]{1,255}$": { type: "string", maxLength: 255 } },
  additionalProperties: false,
};
const tag = { type: "string", minLength: 1, maxLength: 60, pattern: "^[^,/]*$" };

/** POST /servers (the fields of every microversion up to 2.79; version gates are checked in code). */
export const serverCreate = {
  type: "object",
  properties: {
    server: {
      type: "object",
      properties: {
        name,
        imageRef: { oneOf: [uuid, { type: "string", maxLength: 0 }] },
        flavorRef: { type: ["string", "integer"], minLength: 1 },
        adminPass: { type: "string" },
        metadata,
        networks: {
          oneOf: [
            {
              type: "array",
              items: {
                type: "object",
                properties: { uuid: { type: "string" }, port: { type: ["string", "null"] }, fixed_ip: { type: "string" }, tag },
                additionalProperties: false,
              },
            },
            { type: "string", enum: ["none", "auto"] },
          ],
        },
        "OS-DCF:diskConfig": { type: "string", enum: ["AUTO", "MANUAL"] },
        accessIPv4: { type: "string" },
        accessIPv6: { type: "string" },
        personality: {
          type: "array",
          items: { type: "object", properties: { path: { type: "string" }, contents: { type: "string" } }, additionalProperties: false },
        },
        availability_zone: { type: "string", minLength: 1, maxLength: 255 },
        block_device_mapping_v2: { type: "array", items: { type: "object" } },
        config_drive: { type: ["boolean", "string"] },
        key_name: { type: "string", minLength: 1, maxLength: 255 },
        min_count: positiveInt,
        max_count: positiveInt,
        return_reservation_id: { type: ["boolean", "string"] },
        security_groups: {
          type: "array",
          items: { type: "object", properties: { name: { type: "string" } }, additionalProperties: false },
        },
        user_data: { type: "string", maxLength: 65535 },
        description,
        tags: { type: "array", items: tag, maxItems: 50 },
        trusted_image_certificates: { type: ["array", "null"] },
        host: { type: "string", minLength: 1, maxLength: 255 },
        hypervisor_hostname: { type: "string", minLength: 1, maxLength: 255 },
      },
      required: ["name", "flavorRef"],
      additionalProperties: false,
    },
    "os:scheduler_hints": { type: "object", properties: { group: uuid }, additionalProperties: true },
    "OS-SCH-HNT:scheduler_hints": { type: "object", properties: { group: uuid }, additionalProperties: true },
  },
  required: ["server"],
  additionalProperties: false,
};

export const serverUpdate = {
  type: "object",
  properties: {
    server: {
      type: "object",
      properties: {
        name,
        description,
        accessIPv4: { type: "string" },
        accessIPv6: { type: "string" },
        "OS-DCF:diskConfig": { type: "string" },
      },
      additionalProperties: false,
    },
  },
  required: ["server"],
  additionalProperties: false,
};

export const reboot = {
  type: "object",
  properties: {
    reboot: {
      type: "object",
      properties: { type: { type: "string", enum: ["HARD", "Hard", "hard", "SOFT", "Soft", "soft"] } },
      required: ["type"],
      additionalProperties: false,
    },
  },
  required: ["reboot"],
  additionalProperties: false,
};

export const createImage = {
  type: "object",
  properties: { createImage: { type: "object", properties: { name, metadata }, required: ["name"], additionalProperties: false } },
  required: ["createImage"],
  additionalProperties: false,
};

export const rebuild = {
  type: "object",
  properties: {
    rebuild: {
      type: "object",
      properties: {
        imageRef: uuid,
        name,
        adminPass: { type: "string" },
        metadata,
        preserve_ephemeral: { type: "boolean" },
        "OS-DCF:diskConfig": { type: "string", enum: ["AUTO", "MANUAL"] },
        accessIPv4: { type: "string" },
        accessIPv6: { type: "string" },
        personality: { type: "array" },
        description,
        key_name: { type: ["string", "null"] },
        user_data: { type: ["string", "null"] },
        trusted_image_certificates: { type: ["array", "null"] },
        hostname: { type: "string" },
      },
      required: ["imageRef"],
      additionalProperties: false,
    },
  },
  required: ["rebuild"],
  additionalProperties: false,
};

export const resize = {
  type: "object",
  properties: {
    resize: {
      type: "object",
      properties: {
        flavorRef: { type: ["string", "integer"], minLength: 1 },
        "OS-DCF:diskConfig": { type: "string", enum: ["AUTO", "MANUAL"] },
      },
      required: ["flavorRef"],
      additionalProperties: false,
    },
  },
  required: ["resize"],
  additionalProperties: false,
};

export const consoleOutput = {
  type: "object",
  properties: {
    "os-getConsoleOutput": {
      type: "object",
      properties: { length: { type: ["integer", "string", "null"], pattern: "^-?[0-9]+$", minimum: -1 } },
      additionalProperties: false,
    },
  },
  required: ["os-getConsoleOutput"],
  additionalProperties: false,
};

export const lock = {
  type: "object",
  properties: {
    lock: {
      type: ["object", "null"],
      properties: { locked_reason: { type: "string", minLength: 1, maxLength: 255 } },
      additionalProperties: false,
    },
  },
  required: ["lock"],
  additionalProperties: false,
};

/** os-resetState (admin_actions): only the two states an admin may force. */
export const resetState = {
  type: "object",
  properties: {
    "os-resetState": {
      type: "object",
      properties: { state: { type: "string", enum: ["active", "error"] } },
      required: ["state"],
      additionalProperties: false,
    },
  },
  required: ["os-resetState"],
  additionalProperties: false,
};

export const remoteConsole = {
  type: "object",
  properties: {
    remote_console: {
      type: "object",
      properties: {
        protocol: { enum: ["vnc", "spice", "rdp", "serial", "mks"] },
        type: { enum: ["novnc", "xvpvnc", "spice-html5", "rdp-html5", "serial", "webmks"] },
      },
      required: ["protocol", "type"],
      additionalProperties: false,
    },
  },
  required: ["remote_console"],
  additionalProperties: false,
};

export const flavorCreate = {
  type: "object",
  properties: {
    flavor: {
      type: "object",
      properties: {
        name: { type: "string", minLength: 1, maxLength: 255, format: "name" },
        id: { type: ["string", "null"], minLength: 1, maxLength: 255, pattern: "^(?! )[a-zA-Z0-9. _-]+(?<! )$" },
        ram: { type: ["integer", "string"], pattern: "^[0-9]+$", minimum: 1 },
        vcpus: { type: ["integer", "string"], pattern: "^[0-9]+$", minimum: 1 },
        disk: { type: ["integer", "string"], pattern: "^[0-9]+$", minimum: 0 },
        "OS-FLV-EXT-DATA:ephemeral": { type: ["integer", "string"], pattern: "^[0-9]+$", minimum: 0 },
        swap: { type: ["integer", "string"], pattern: "^[0-9]*$", minimum: 0 },
        rxtx_factor: { type: ["number", "string"], pattern: "^[0-9]+(\\.[0-9]+)?$", minimum: 0 },
        "os-flavor-access:is_public": { type: ["boolean", "string"] },
        description,
      },
      required: ["name", "ram", "vcpus", "disk"],
      additionalProperties: false,
    },
  },
  required: ["flavor"],
  additionalProperties: false,
};

export const flavorUpdate = {
  type: "object",
  properties: { flavor: { type: "object", properties: { description }, required: ["description"], additionalProperties: false } },
  required: ["flavor"],
  additionalProperties: false,
};

export const extraSpecs = {
  type: "object",
  properties: {
    extra_specs: {
      type: "object",
      patternProperties: { "^[a-zA-Z0-9-_:. ]{1,255}$": { type: ["string", "number", "boolean"], minLength: 0, maxLength: 255 } },
      additionalProperties: false,
    },
  },
  required: ["extra_specs"],
  additionalProperties: false,
};

export const keypairCreate = {
  type: "object",
  properties: {
    keypair: {
      type: "object",
      properties: {
        name: { type: "string", minLength: 1, maxLength: 255, pattern: "^[a-zA-Z0-9 @._-]+$" },
        type: { type: "string", enum: ["ssh", "x509"] },
        public_key: { type: "string" },
        user_id: { type: "string" },
      },
      required: ["name"],
      additionalProperties: false,
    },
  },
  required: ["keypair"],
  additionalProperties: false,
};

export const serviceUpdate = {
  type: "object",
  properties: {
    status: { type: "string", enum: ["enabled", "disabled"] },
    disabled_reason: { type: "string", minLength: 1, maxLength: 255 },
    forced_down: { type: "boolean" },
  },
  additionalProperties: false,
};

export const quotaUpdate = {
  type: "object",
  properties: {
    quota_set: {
      type: "object",
      patternProperties: { "^[a-z_]+$": { type: ["integer", "string"], pattern: "^-?[0-9]+$", minimum: -1 } },
      properties: { force: { type: ["boolean", "string"] } },
      additionalProperties: false,
    },
  },
  required: ["quota_set"],
  additionalProperties: false,
};

export const serverGroupCreate = {
  type: "object",
  properties: {
    server_group: {
      type: "object",
      properties: {
        name,
        policies: {
          type: "array",
          items: { type: "string", enum: ["anti-affinity", "affinity"] },
          minItems: 1,
          maxItems: 1,
          uniqueItems: true,
        },
        policy: { type: "string", enum: ["anti-affinity", "affinity", "soft-anti-affinity", "soft-affinity"] },
        rules: {
          type: "object",
          properties: { max_server_per_host: { type: ["integer", "string"], pattern: "^[0-9]+$", minimum: 1 } },
          additionalProperties: false,
        },
      },
      required: ["name"],
      additionalProperties: false,
    },
  },
  required: ["server_group"],
  additionalProperties: false,
};

export const metadataBody = { type: "object", properties: { metadata }, required: ["metadata"], additionalProperties: false };
export const metaItemBody = {
  type: "object",
  properties: {
    meta: {
      type: "object",
      patternProperties: { "^[a-zA-Z0-9-_:. ]{1,255}$": { type: "string", maxLength: 255 } },
      additionalProperties: false,
      minProperties: 1,
      maxProperties: 1,
    },
  },
  required: ["meta"],
  additionalProperties: false,
};
export const tagsBody = {
  type: "object",
  properties: { tags: { type: "array", items: tag, maxItems: 50 } },
  required: ["tags"],
  additionalProperties: false,
};

/** The legacy os-getVNCConsole action (2.1–2.5). */
export const getVncConsole = {
  type: "object",
  properties: {
    "os-getVNCConsole": {
      type: "object",
      properties: { type: { enum: ["novnc", "xvpvnc"] } },
      required: ["type"],
      additionalProperties: false,
    },
  },
  required: ["os-getVNCConsole"],
  additionalProperties: false,
};
