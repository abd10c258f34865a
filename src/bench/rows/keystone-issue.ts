import type { BenchRow, Budget } from "../row.js";
import { CONCURRENCY, adminToken, call, expectStatus, passwordAuth, sampleKeystone, tokenAuth, withKeystone } from "./keystone-common.js";

/** `POST /v3/auth/tokens` with the token method: a project token in exchange for an existing one. */
function byToken(budget: Budget, concurrency: number, target?: { name: string; minOps: number }): Promise<number[]> {
  return withKeystone(async (k, agent) => {
    const body = tokenAuth(await adminToken(agent, k));
    const issue = async () => expectStatus(await call(agent, k.port, "POST", "/v3/auth/tokens", {}, body), 201, "token method");
    return sampleKeystone(budget, k, concurrency, issue, target);
  });
}

export const byTokenRow: BenchRow = {
  name: "keystone.issue_token_method",
  floorOf: "http.bare_node_http",
  run: (budget) => byToken(budget, 1),
};

export const byTokenThroughputRow: BenchRow = {
  name: `keystone.issue_token_method_x${CONCURRENCY}`,
  run(budget) {
    return byToken(budget, CONCURRENCY, { name: this.name, minOps: 1000 });
  },
};

/**
 * `POST /v3/auth/tokens` with the password method at the configured hash cost (bcrypt, default
 * rounds): dominated by the hash on purpose. Few warm-ups, since each costs a full hash.
 */
export const byPasswordRow: BenchRow = {
  name: "keystone.issue_password",
  floorOf: "http.bare_node_http",
  run: (budget) =>
    withKeystone((k, agent) => {
      const body = passwordAuth(k.adminPassword);
      const issue = async () => expectStatus(await call(agent, k.port, "POST", "/v3/auth/tokens", {}, body), 201, "password method");
      return sampleKeystone({ ...budget, warmup: Math.min(budget.warmup, 2) }, k, 1, issue);
    }),
};
