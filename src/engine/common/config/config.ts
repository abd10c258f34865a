import { existsSync, readFileSync } from "node:fs";
import { parseIni } from "../ini/parse.js";
import { type OptionSpec, SCHEMA, type Schema } from "./schema.js";

export type Value = string | number | boolean | string[];

export class ConfigError extends Error {
  override name = "ConfigError";
}

/** The merged configuration: schema defaults < file < per-run overrides. Read with get(section, option). */
export class Config {
  private readonly values = new Map<string, Value>();
  constructor(
    readonly schema: Schema = SCHEMA,
    readonly file?: string,
  ) {}

  get<T extends Value = Value>(section: string, option: string): T {
    const spec = this.spec(section, option, "<code>");
    const v = this.values.get(`${section}.${option}`);
    return (v ?? spec.default) as T;
  }
  str(section: string, option: string): string {
    return String(this.get(section, option));
  }
  int(section: string, option: string): number {
    return Number(this.get(section, option));
  }
  bool(section: string, option: string): boolean {
    return this.get(section, option) === true;
  }

  /** Set one option from text (file or override), validating it against the schema. */
  set(section: string, option: string, raw: string, where: string): void {
    const spec = this.spec(section, option, where);
    this.values.set(`${section}.${option}`, coerce(spec, raw, `${where}: [${section}] ${option}`));
  }

  /** Every option with its effective value, for `os manage config show`. */
  entries(): Array<{ section: string; option: string; value: Value }> {
    const out = [];
    for (const [section, opts] of Object.entries(this.schema))
      for (const option of Object.keys(opts)) out.push({ section, option, value: this.get(section, option) });
    return out;
  }

  private spec(section: string, option: string, where: string): OptionSpec {
    const sec = this.schema[section];
    if (!sec) throw new ConfigError(`${where}: unknown section [${section}]`);
    const spec = sec[option];
    if (!spec) throw new ConfigError(`${where}: unknown option '${option}' in section [${section}]`);
    return spec;
  }
}

function coerce(spec: OptionSpec, raw: string, where: string): Value {
  switch (spec.type) {
    case "int": {
      if (!/^-?\d+$/.test(raw)) throw new ConfigError(`${where}: '${raw}' is not an integer`);
      const n = Number(raw);
      if (spec.min !== undefined && n < spec.min) throw new ConfigError(`${where}: ${n} is below the minimum ${spec.min}`);
      return n;
    }
    case "float": {
      const n = Number(raw);
      if (raw.trim() === "" || Number.isNaN(n)) throw new ConfigError(`${where}: '${raw}' is not a number`);
      return n;
    }
    case "bool": {
      const v = raw.toLowerCase();
      if (["true", "yes", "on", "1"].includes(v)) return true;
      if (["false", "no", "off", "0"].includes(v)) return false;
      throw new ConfigError(`${where}: '${raw}' is not a boolean (true/false)`);
    }
    case "list":
      return raw
        .split(",")
        .map((x) => x.trim())
        .filter(Boolean);
    default:
      if (spec.choices && !spec.choices.includes(raw)) throw new ConfigError(`${where}: '${raw}' is not one of ${spec.choices.join(", ")}`);
      return raw;
  }
}

/** Parse `section.option=value` (the form of `--set` and of POCKETSTACK_SET). */
export function parseOverride(text: string): { section: string; option: string; value: string } {
  const m = /^([A-Za-z_][\w]*)\.([A-Za-z_][\w]*)=(.*)$/s.exec(text);
  if (!m) throw new ConfigError(`override '${text}' is not of the form section.option=value`);
  return { section: m[1] as string, option: m[2] as string, value: m[3] as string };
}

/**
 * Load the configuration: the ini file if it exists, then overrides (from `--set` flags and from the
 * POCKETSTACK_SET environment variable, `;`-separated, which the supervisor hands to its children).
 */
export function loadConfig(file?: string, overrides: string[] = []): Config {
  const cfg = new Config(SCHEMA, file);
  if (file && existsSync(file)) {
    const ini = parseIni(readFileSync(file, "utf8"), file);
    for (const section of ini.sections.values())
      for (const [option, entry] of section.entries) cfg.set(section.name, option, entry.value, `${file}:${entry.line}`);
  }
  const fromEnv = (process.env.POCKETSTACK_SET ?? "").split(";").filter(Boolean);
  for (const o of [...fromEnv, ...overrides]) {
    const { section, option, value } = parseOverride(o);
    cfg.set(section, option, value, `override ${section}.${option}`);
  }
  return cfg;
}

/** The sample file, one commented line per option, grouped by section. */
export function sampleConfig(schema: Schema = SCHEMA): string {
  const out = ["# pocketstack.conf: every option with its default. Uncomment to change.", ""];
  for (const [section, opts] of Object.entries(schema)) {
    out.push(`[${section}]`);
    for (const [name, spec] of Object.entries(opts)) {
      const choices = spec.choices ? ` (one of: ${spec.choices.join(", ")})` : "";
      out.push(`# ${spec.help}${choices}`, `#${name} = ${Array.isArray(spec.default) ? spec.default.join(",") : spec.default}`);
    }
    out.push("");
  }
  return out.join("\n");
}
