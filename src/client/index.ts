export {
  type AuthConfig,
  type ResolvedAuth,
  type ResolveOptions,
  LOCAL_CLOUD,
  cloudsYamlPaths,
  findCloud,
  identityRoot,
  resolveAuth,
} from "./auth-config.js";
export { AuthRef, type CatalogEndpoint, type CatalogService, type TokenBody } from "./auth-ref.js";
export { ApiError, ClientConfigError, ConnectionError, serviceMessage } from "./errors.js";
export { CommandError, IdentityApi, showable } from "./identity.js";
export { type ApiResponse, type RequestOptions, Session, type SessionOptions, authRequestBody } from "./session.js";
export { TokenCache } from "./token-cache.js";
export { Transport } from "./transport.js";
