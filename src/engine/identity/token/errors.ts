// Errors the token layer raises. TokenInvalid is what a caller maps to 401/404; KeysNotFound is a
// deployment problem (no key repository), which Keystone reports as a server error.

export type TokenInvalidReason = "malformed" | "signature" | "expired" | "payload";

export class TokenInvalid extends Error {
  readonly reason: TokenInvalidReason;
  constructor(message: string, reason: TokenInvalidReason = "malformed") {
    super(message);
    this.name = "TokenInvalid";
    this.reason = reason;
  }
}

export class KeysNotFound extends Error {
  constructor(message: string) {
    super(message);
    this.name = "KeysNotFound";
  }
}
