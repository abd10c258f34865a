// Shared by the `os ca …` commands: where the CA lives and how a "name or file" argument resolves.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { loadConfig } from "../config/config.js";
import { layout, stateDir } from "../paths.js";
import { caDirOf } from "./options.js";
import { CaStore } from "./store.js";

/** --ca-dir, else [ssl] ca_dir, else <state dir>/ca. */
export function openCaStore(flags: { "ca-dir"?: string; "state-dir"?: string; set?: string[] }): CaStore {
  if (flags["ca-dir"]) return new CaStore(flags["ca-dir"]);
  const l = layout(stateDir(flags["state-dir"]));
  let dir = join(l.root, "ca");
  try {
    dir = caDirOf(loadConfig(l.config, flags.set ?? []), l);
  } catch {
    // a config this build cannot read yet (e.g. an [ssl] section before the schema knows it): default dir
  }
  return new CaStore(dir);
}

/** A certificate named in the CA, or a PEM file path. */
export function resolveCertificate(store: CaStore, nameOrFile: string): { label: string; pem: string; name?: string } {
  if (store.exists() && store.find(nameOrFile))
    return { label: nameOrFile, pem: readFileSync(store.certFile(nameOrFile), "utf8"), name: nameOrFile };
  if (existsSync(nameOrFile)) return { label: nameOrFile, pem: readFileSync(nameOrFile, "utf8") };
  throw new Error(`'${nameOrFile}' is neither a certificate in ${store.dir} (see \`os ca list\`) nor a file`);
}
