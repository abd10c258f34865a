/**
 * The lab file format (fixtures/labs/<name>.yaml) as types and as the JSON schema ajv checks it with.
 * A step does one thing: run our CLI (`os`), send an HTTP request (`http`), run a shell command
 * (`shell`), edit a file (`edit`) or restart one service of the cloud (`restart`).
 */

export interface HttpSpec {
  method: string;
  /** Catalog type (identity, image, placement, compute): the endpoint comes from the catalog. */
  service?: string;
  /** Or a full base URL. */
  url?: string;
  path: string;
  body?: unknown;
  headers?: Record<string, string>;
  /** e.g. "2.79": OpenStack-API-Version for the service. */
  microversion?: string;
  /** false: send without a token (version documents, or to see the 401). */
  auth?: boolean;
}

export interface EditSpec {
  /** Path of the file; relative paths are under the state directory. */
  file: string;
  /** Exact text to find (must occur) … */
  replace?: string;
  /** … and what to put instead. */
  with?: string;
  /** Put the file back as it was before the lab's first edit. */
  restore?: boolean;
}

export type Matcher = unknown;

export interface Expect {
  exit?: number;
  status?: number;
  /** JSON path → expected value or matcher, on the JSON output (or response body). */
  json?: Record<string, Matcher>;
  /** Each must match one row of the printed table (or JSON list), column → value or matcher. */
  table_rows?: Array<Record<string, Matcher>>;
  row_count?: number;
  contains?: string | string[];
  not_contains?: string | string[];
  regex?: string | string[];
  /** Response header → expected value or matcher ({$exists: false}: the header must be absent). */
  headers?: Record<string, Matcher>;
}

export type SaveSpec = string | { regex: string; group?: number } | { header: string };

export interface TraceSpec {
  /** Which traced request of the step to show (default: the first that changes something). */
  method?: string;
  /** A regular expression on the request path. */
  path?: string;
  /** Span names the trace must contain. */
  contains?: string[];
}

export interface Step {
  title: string;
  explain?: string;
  os?: string[];
  http?: HttpSpec;
  shell?: string;
  edit?: EditSpec;
  restart?: string;
  env?: Record<string, string>;
  expect?: Expect;
  save?: Record<string, SaveSpec>;
  trace?: boolean | TraceSpec;
  /** Run again until the expectations hold (e.g. waiting for a login prompt). */
  retry?: { timeout: number; interval?: number };
  /** Seconds before the step's command is stopped (default 120). */
  timeout?: number;
  /**
   * Only on a cloud whose compute nodes run this driver; only if step N (1-based) passed / did not
   * pass; only if a program is installed (on PATH).
   */
  when?: { driver?: string; passed?: number; not_passed?: number; command?: string };
  /** How much of the output to print: head (default, 40 lines), tail, all, none. */
  show?: "head" | "tail" | "all" | "none";
}

export interface Lab {
  title: string;
  teaches: string;
  vars?: Record<string, string>;
  /** Free TCP ports to pick when the lab runs, as {{port.<name>}} (for servers the lab starts itself). */
  ports?: string[];
  steps: Step[];
  /** Always run at the end, passed or failed: put back what the lab changed. */
  cleanup?: Step[];
}

export const ACTIONS = ["os", "http", "shell", "edit", "restart"] as const;

const strings = { type: "array", items: { type: "string" } };
const stringOrStrings = { type: ["string", "array"], items: { type: "string" } };
const stringMap = { type: "object", additionalProperties: { type: ["string", "number", "boolean"] } };

const step = {
  type: "object",
  additionalProperties: false,
  required: ["title"],
  properties: {
    title: { type: "string", minLength: 1 },
    explain: { type: "string" },
    os: { ...strings, minItems: 1 },
    shell: { type: "string", minLength: 1 },
    restart: { type: "string", minLength: 1 },
    http: {
      type: "object",
      additionalProperties: false,
      required: ["method", "path"],
      properties: {
        method: { type: "string", enum: ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"] },
        service: { type: "string" },
        url: { type: "string" },
        path: { type: "string" },
        body: {},
        headers: stringMap,
        microversion: { type: "string" },
        auth: { type: "boolean" },
      },
    },
    edit: {
      type: "object",
      additionalProperties: false,
      required: ["file"],
      properties: {
        file: { type: "string" },
        replace: { type: "string", minLength: 1 },
        with: { type: "string" },
        restore: { type: "boolean" },
      },
    },
    env: stringMap,
    expect: {
      type: "object",
      additionalProperties: false,
      properties: {
        exit: { type: "integer" },
        status: { type: "integer", minimum: 100, maximum: 599 },
        json: { type: "object" },
        table_rows: { type: "array", items: { type: "object" } },
        row_count: { type: "integer", minimum: 0 },
        contains: stringOrStrings,
        not_contains: stringOrStrings,
        regex: stringOrStrings,
        headers: { type: "object" },
      },
    },
    save: {
      type: "object",
      additionalProperties: {
        type: ["string", "object"],
        additionalProperties: false,
        properties: { regex: { type: "string" }, group: { type: "integer", minimum: 0 }, header: { type: "string" } },
      },
    },
    trace: {
      type: ["boolean", "object"],
      additionalProperties: false,
      properties: { method: { type: "string" }, path: { type: "string" }, contains: strings },
    },
    retry: {
      type: "object",
      additionalProperties: false,
      required: ["timeout"],
      properties: { timeout: { type: "number", exclusiveMinimum: 0 }, interval: { type: "number", exclusiveMinimum: 0 } },
    },
    timeout: { type: "number", exclusiveMinimum: 0 },
    when: {
      type: "object",
      additionalProperties: false,
      properties: {
        driver: { type: "string" },
        passed: { type: "integer", minimum: 1 },
        not_passed: { type: "integer", minimum: 1 },
        command: { type: "string", minLength: 1 },
      },
    },
    show: { enum: ["head", "tail", "all", "none"] },
  },
};

export const labSchema = {
  type: "object",
  additionalProperties: false,
  required: ["title", "teaches", "steps"],
  properties: {
    title: { type: "string", minLength: 1 },
    teaches: { type: "string", minLength: 1 },
    vars: stringMap,
    ports: { type: "array", uniqueItems: true, items: { type: "string", pattern: "^[\\w-]+$" } },
    steps: { type: "array", minItems: 1, items: step },
    cleanup: { type: "array", items: step },
  },
} as const;
