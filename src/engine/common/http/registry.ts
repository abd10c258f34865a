import type { AppFactory, FilterFactory } from "./types.js";

export type { App, Filter, GlobalConf, LocalConf, AppFactory, FilterFactory } from "./types.js";

/**
 * The factories an api-paste.ini may name. Built-in filters register in filters.ts; each service
 * registers its own app (and filters such as authtoken) before it loads its paste file.
 */
export const appFactories = new Map<string, AppFactory>();
export const filterFactories = new Map<string, FilterFactory>();

export function registerApp(name: string, factory: AppFactory): void {
  appFactories.set(name, factory);
}
export function registerFilter(name: string, factory: FilterFactory): void {
  filterFactories.set(name, factory);
}
