import { HttpError } from "../http/errors.js";

/**
 * A rule that cannot be loaded: bad syntax, a reference to a rule nobody defined, or a reference cycle.
 * The message names the rule and the character position (0-based, like JSON.parse) in its check string,
 * e.g. `rule 'identity:list_projects': unexpected ')' at position 14`.
 */
export class PolicyParseError extends Error {
  constructor(
    readonly ruleName: string,
    readonly reason: string,
    /** 0-based offset into the rule's check string; undefined when the fault is not at one place. */
    readonly position?: number,
    /** The policy file the rule came from, when it came from one. */
    readonly source?: string,
  ) {
    super(`rule '${ruleName}': ${reason}${position === undefined ? "" : ` at position ${position}`}${source ? ` (in ${source})` : ""}`);
    this.name = "PolicyParseError";
  }
}

/**
 * The policy said no. A 403 for any service's fault wrapper; the message is the one Nova shows
 * (Keystone words its 403 differently and can catch this to re-phrase it, using `action`).
 */
export class PolicyNotAuthorized extends HttpError {
  constructor(
    readonly action: string,
    message = `Policy doesn't allow ${action} to be performed.`,
  ) {
    super(403, message);
    this.name = "PolicyNotAuthorized";
  }
}

/** With scope enforcement on, the token's scope (system/domain/project) is not one the rule accepts. */
export class PolicyInvalidScope extends PolicyNotAuthorized {
  constructor(
    action: string,
    readonly scopeTypes: readonly string[],
    readonly tokenScope: string,
  ) {
    super(action, `${action} requires a scope of [${scopeTypes.join(", ")}], request was made with ${tokenScope} scope.`);
    this.name = "PolicyInvalidScope";
  }
}

/** Enforcing an action nobody registered is a programming error, not a denial (oslo's PolicyNotRegistered). */
export class PolicyNotRegistered extends Error {
  constructor(readonly action: string) {
    super(`Policy ${action} has not been registered`);
    this.name = "PolicyNotRegistered";
  }
}

/** The policy file cannot be read or is not a mapping of rule name to check string. */
export class PolicyFileError extends Error {
  constructor(
    readonly path: string,
    reason: string,
  ) {
    super(`policy file ${path}: ${reason}`);
    this.name = "PolicyFileError";
  }
}
