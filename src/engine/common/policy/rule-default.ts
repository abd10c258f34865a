/** Scopes a token can have; a rule's scopeTypes says which of them the API is meant for. */
export const SCOPE_TYPES = ["system", "domain", "project"] as const;
export type ScopeType = (typeof SCOPE_TYPES)[number];

/** An API operation a rule protects, for `os policy list` and generated documentation. */
export interface PolicyOperation {
  method: string;
  path: string;
}

/**
 * The check string a rule had before its current default; while new defaults are not enforced, the
 * effective rule is `(new) or (old)` so upgrades do not lock anyone out (oslo.policy's DeprecatedRule).
 */
export interface DeprecatedRule {
  /** Defaults to the rule's own name; a different name means the policy was renamed. */
  name?: string;
  checkStr: string;
  /** Release the old default was deprecated in, e.g. "Stein". */
  since?: string;
  reason?: string;
}

/** A policy default declared in code (oslo.policy's RuleDefault / DocumentedRuleDefault). */
export interface RuleDefault {
  name: string;
  checkStr: string;
  description?: string;
  /** Token scopes the API is meant for: "system", "domain", "project". */
  scopeTypes?: readonly string[];
  operations?: readonly PolicyOperation[];
  deprecatedRule?: DeprecatedRule;
  /** The policy itself will go away; overrides of it will then be ignored. */
  deprecatedForRemoval?: boolean;
}
