import { existsSync } from "node:fs";
import type { Config } from "../common/config/config.js";
import type { Layout } from "../common/paths.js";
import { Enforcer, IDENTITY_POLICY_DEFAULTS } from "../common/policy/index.js";
import type { KeystoneContext } from "./api/common.js";
import { Authenticator } from "./auth/authenticate.js";
import { TokenService } from "./auth/token-service.js";
import { TokenlessAuth } from "./auth/tokenless.js";
import type { HashAlgorithm } from "./password.js";
import { KeystoneStore } from "./store.js";
import { createJwsKeyPair, createTokenProvider, setupKeyRepository } from "./token/index.js";

/** The store as configured: the database under the state dir, hashing and token lifetime from the config. */
export function openKeystoneStore(config: Config, layout: Layout): KeystoneStore {
  return KeystoneStore.open(layout.db("keystone"), {
    hash: {
      algorithm: config.str("identity", "password_hash_algorithm") as HashAlgorithm,
      rounds: config.int("identity", "password_hash_rounds"),
    },
    tokenLifetimeMs: config.int("token", "expiration") * 1000,
    pragmas: {
      journalMode: config.str("database", "journal_mode"),
      synchronous: config.str("database", "synchronous"),
      busyTimeout: config.int("database", "busy_timeout"),
    },
  });
}

export function tokenKeyDir(config: Config, layout: Layout): { kind: "fernet" | "jws"; dir: string } {
  const kind = config.str("token", "provider") as "fernet" | "jws";
  return { kind, dir: kind === "jws" ? layout.jwsKeys : layout.fernetKeys };
}

/** Create the key repository if `fernet-setup` was never run (keystone-manage would refuse; a local cloud just needs keys). */
export function ensureTokenKeys(config: Config, layout: Layout): boolean {
  const { kind, dir } = tokenKeyDir(config, layout);
  if (kind === "jws") return createJwsKeyPair(dir);
  return setupKeyRepository(dir);
}

/** Wire the store, token provider, authenticator and policy enforcer into what the API handlers share. */
export function createKeystoneContext(config: Config, layout: Layout, store = openKeystoneStore(config, layout)): KeystoneContext {
  const { kind, dir } = tokenKeyDir(config, layout);
  const provider = createTokenProvider(kind, dir);
  const tokens = new TokenService(store, provider, {
    expirationSeconds: config.int("token", "expiration"),
    adminProjectName: config.str("resource", "admin_project_name"),
    adminProjectDomainName: config.str("resource", "admin_project_domain_name"),
  });
  const policyFile = layout.policyFile("keystone");
  const enforcer = new Enforcer(IDENTITY_POLICY_DEFAULTS, existsSync(policyFile) ? { policyFile } : {});
  const tokenless = TokenlessAuth.fromConfig(config, store, tokens);
  return { store, tokens, authenticator: new Authenticator(store, tokens), enforcer, ...(tokenless ? { tokenless } : {}) };
}
