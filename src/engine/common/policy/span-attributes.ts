import type { PolicyDecision } from "./enforcer.js";

/**
 * A decision as trace span attributes ("policy rule and result" in the trace UI), so a 403 in a trace
 * shows which rule was applied and which of its checks failed.
 */
export function policySpanAttributes(decision: PolicyDecision): Record<string, string | boolean> {
  const attributes: Record<string, string | boolean> = {
    "policy.rule": decision.action,
    "policy.check_str": decision.checkStr,
    "policy.allowed": decision.allowed,
    "policy.token_scope": decision.tokenScope,
  };
  if (!decision.allowed) attributes["policy.failed"] = decision.failed.join("; ");
  return attributes;
}
