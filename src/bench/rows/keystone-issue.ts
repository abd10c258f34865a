import { type BenchRow, type Budget, sample } from "../row.js";
import {
  CONCURRENCY,
  adminToken,
  call,
  expectStatus,
  keepAliveAgent,
  keystone,
  opsTarget,
  passwordAuth,
  sampleConcurrentWithCpu,
  tokenAuth,
} from "./keystone-common.js";

/** `POST /v3/auth/tokens` with the token method: a project token in exchange for an existing one. */
async function byToken(budget: Budget, concurrency: number, minOps?: number, name = ""): Promise<number[]> {
  const k = await keystone();
  const agent = keepAliveAgent();
  try {
    const body = tokenAuth(await adminToken(agent, k));
    const issue = async () => expectStatus(await call(agent, k.port, "POST", "/v3/auth/tokens", {}, body), 201, "token method");
    if (concurrency === 1) return await sample(budget, issue);
    const { samples, cpuMs } = await sampleConcurrentWithCpu(budget, k.pid, issue);
    if (minOps !== undefined) opsTarget(name, samples, minOps, cpuMs);
    return samples;
  } finally {
    agent.destroy();
  }
}

export const byTokenRow: BenchRow = {
  name: "keystone.issue_token_method",
  floorOf: "http.bare_node_http",
  run: (budget) => byToken(budget, 1),
};

export const byTokenThroughputRow: BenchRow = {
  name: `keystone.issue_token_method_x${CONCURRENCY}`,
  run(budget) {
    return byToken(budget, CONCURRENCY, 1000, this.name);
  },
};

/**
 * `POST /v3/auth/tokens` with the password method at the configured hash cost (bcrypt, default
 * rounds): dominated by the hash on purpose. Few warm-ups, since each costs a full hash.
 */
export const byPasswordRow: BenchRow = {
  name: "keystone.issue_password",
  floorOf: "http.bare_node_http",
  async run(budget) {
    const k = await keystone();
    const agent = keepAliveAgent();
    try {
      const body = passwordAuth(k.adminPassword);
      const issue = async () => expectStatus(await call(agent, k.port, "POST", "/v3/auth/tokens", {}, body), 201, "password method");
      return await sample({ ...budget, warmup: Math.min(budget.warmup, 2) }, issue);
    } finally {
      agent.destroy();
    }
  },
};
