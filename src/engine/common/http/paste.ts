import { readFileSync } from "node:fs";
import { type IniFile, type IniSection, IniSyntaxError, parseIni } from "../ini/parse.js";
import { type Filter, type GlobalConf, type App, type LocalConf, appFactories, filterFactories } from "./registry.js";
import { urlmap } from "./urlmap.js";

/**
 * PasteDeploy for pocketstack: builds an app from an api-paste.ini. Sections are [app:x], [filter:x],
 * [pipeline:x] and [composite:x]; a factory is named by `paste.app_factory`/`paste.filter_factory`
 * (or `use`), every other key is local config handed to that factory. Composites either map URL
 * prefixes (`use = urlmap`) or pick a pipeline by auth strategy (`use = auth_strategy`), as Nova's do.
 */
export class PasteError extends IniSyntaxError {
  override name = "PasteError";
}

type Kind = "app" | "filter" | "pipeline" | "composite";
interface Ref {
  line: number;
  from: string;
}

export async function loadApp(file: string, name = "main", global: GlobalConf = {}): Promise<App> {
  return new Loader(parseIni(readFileSync(file, "utf8"), file), global).app(name, { line: 0, from: "(entry point)" }, []);
}

export async function loadAppFromString(text: string, name = "main", global: GlobalConf = {}, file = "<paste>"): Promise<App> {
  return new Loader(parseIni(text, file), global).app(name, { line: 0, from: "(entry point)" }, []);
}

class Loader {
  private readonly global: GlobalConf;
  constructor(
    private readonly ini: IniFile,
    global: GlobalConf,
  ) {
    const defaults = ini.sections.get("DEFAULT");
    this.global = { ...Object.fromEntries([...(defaults?.entries ?? [])].map(([k, v]) => [k, v.value])), ...global };
  }

  private fail(line: number, msg: string): never {
    throw new PasteError(this.ini.file, line, msg);
  }

  private find(name: string, ref: Ref, kinds: Kind[]): { kind: Kind; section: IniSection } {
    for (const kind of kinds) {
      const section = this.ini.sections.get(`${kind}:${name}`);
      if (section) return { kind, section };
    }
    return this.fail(ref.line, `${ref.from} refers to '${name}', but there is no ${kinds.map((k) => `[${k}:${name}]`).join(" or ")}`);
  }

  private local(section: IniSection, skip: string[]): LocalConf {
    const out: LocalConf = {};
    for (const [k, v] of section.entries) if (!skip.includes(k) && !k.startsWith("/")) out[k] = v.value;
    return out;
  }

  private factoryName(section: IniSection, key: string): { name: string; line: number } {
    const entry = section.entries.get(key) ?? section.entries.get("use");
    if (!entry) return this.fail(section.line, `[${section.name}] needs '${key}' (or 'use')`);
    return { name: entry.value.replace(/^(egg:|call:)/, ""), line: entry.line };
  }

  async app(name: string, ref: Ref, chain: string[]): Promise<App> {
    if (chain.includes(name)) this.fail(ref.line, `cycle in pipeline definitions: ${[...chain, name].join(" -> ")}`);
    const next = [...chain, name];
    const { kind, section } = this.find(name, ref, ["app", "pipeline", "composite"]);
    if (kind === "app") {
      const f = this.factoryName(section, "paste.app_factory");
      const factory = appFactories.get(f.name);
      if (!factory) this.fail(f.line, `unknown app factory '${f.name}' (known: ${[...appFactories.keys()].join(", ")})`);
      return factory(this.global, this.local(section, ["paste.app_factory", "use"]));
    }
    if (kind === "pipeline") {
      const entry = section.entries.get("pipeline");
      if (!entry) return this.fail(section.line, `[${section.name}] needs a 'pipeline =' line`);
      return this.pipeline(entry.value, entry.line, section.name, next);
    }
    return this.composite(section, next);
  }

  private async pipeline(spec: string, line: number, owner: string, chain: string[]): Promise<App> {
    const names = spec.split(/\s+/).filter(Boolean);
    const last = names.pop();
    if (!last) return this.fail(line, `[${owner}] has an empty pipeline`);
    let app = await this.app(last, { line, from: `[${owner}]` }, chain);
    for (const filterName of names.reverse()) app = (await this.filter(filterName, { line, from: `[${owner}]` }))(app);
    return app;
  }

  private async filter(name: string, ref: Ref): Promise<Filter> {
    const { section } = this.find(name, ref, ["filter"]);
    const f = this.factoryName(section, "paste.filter_factory");
    const factory = filterFactories.get(f.name);
    if (!factory) this.fail(f.line, `unknown filter factory '${f.name}' (known: ${[...filterFactories.keys()].join(", ")})`);
    return factory(this.global, this.local(section, ["paste.filter_factory", "use"]));
  }

  private async composite(section: IniSection, chain: string[]): Promise<App> {
    const use = section.entries.get("use");
    if (!use) return this.fail(section.line, `[${section.name}] needs 'use = urlmap' or 'use = auth_strategy'`);
    const kind = use.value.replace(/^(egg:|call:)/, "");
    if (kind === "urlmap") {
      const mounts: Array<[string, App]> = [];
      for (const [key, entry] of section.entries) {
        if (!key.startsWith("/")) continue;
        mounts.push([key, await this.app(entry.value, { line: entry.line, from: `[${section.name}] ${key}` }, chain)]);
      }
      if (mounts.length === 0) this.fail(section.line, `[${section.name}] maps no URL prefix`);
      return urlmap(mounts);
    }
    if (kind === "auth_strategy") {
      const strategy = String(this.global.auth_strategy ?? "keystone");
      const entry = section.entries.get(strategy);
      if (!entry) return this.fail(section.line, `[${section.name}] has no pipeline for auth_strategy '${strategy}'`);
      return this.pipeline(entry.value, entry.line, section.name, chain);
    }
    return this.fail(use.line, `unknown composite '${use.value}' (use urlmap or auth_strategy)`);
  }
}
