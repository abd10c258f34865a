export { type Check, formatCheck, ruleReferences } from "./checks.js";
export { IDENTITY_POLICY_DEFAULTS } from "./defaults/identity.js";
export {
  Enforcer,
  type EnforcerOptions,
  type PolicyDecision,
  type PolicyRuleInfo,
  type RuleOrigin,
  tokenScopeOf,
} from "./enforcer.js";
export {
  PolicyFileError,
  PolicyInvalidScope,
  PolicyNotAuthorized,
  PolicyNotRegistered,
  PolicyParseError,
} from "./errors.js";
export { type ExplainNode, failedLeaves } from "./evaluate.js";
export { parseCheckString } from "./parser.js";
export { parsePolicyText, readPolicyFile } from "./policy-file.js";
export { type DeprecatedRule, type PolicyOperation, type RuleDefault, SCOPE_TYPES, type ScopeType } from "./rule-default.js";
export { policySpanAttributes } from "./span-attributes.js";
