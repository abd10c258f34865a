// Keystone's token formats: Fernet (with its key repository) and JWS, behind one provider interface.
export type { TokenPayload } from "./types.js";
export { createTokenProvider, KeysNotFound, newAuditId, TokenInvalid, type TokenProvider } from "./provider.js";
export type { TokenInvalidReason } from "./errors.js";
export { type KeyFile, loadKeys, type RotationResult, rotateKeys, setupKeyRepository } from "./keys.js";
export { createJwsKeyPair, jwsPaths } from "./jws.js";
export { AUTH_METHODS } from "./methods.js";
