import { spawnPeer } from "../peer.js";
import { type BenchRow, type Budget, sample } from "../row.js";
import {
  CONCURRENCY,
  adminToken,
  call,
  expectStatus,
  keepAliveAgent,
  keystone,
  opsTarget,
  sampleConcurrent,
  sampleConcurrentWithCpu,
} from "./keystone-common.js";

/**
 * `GET /v3/auth/tokens` against keystone, as keystonemiddleware asks it on a cache miss: the service's
 * token in X-Auth-Token, the user's in X-Subject-Token (both are validated), `?nocatalog` off.
 */
async function uncached(budget: Budget, concurrency: number, minOps?: number, name = ""): Promise<number[]> {
  const k = await keystone();
  const agent = keepAliveAgent();
  try {
    const service = await adminToken(agent, k);
    const user = await adminToken(agent, k);
    const validate = async () =>
      expectStatus(
        await call(agent, k.port, "GET", "/v3/auth/tokens", { "x-auth-token": service, "x-subject-token": user }),
        200,
        "validate",
      );
    if (concurrency === 1) return await sample(budget, validate);
    const { samples, cpuMs } = await sampleConcurrentWithCpu(budget, k.pid, validate);
    if (minOps !== undefined) opsTarget(name, samples, minOps, cpuMs);
    return samples;
  } finally {
    agent.destroy();
  }
}

/** A request through authtoken (validation cached after the first) in front of a no-op app, in its own process. */
async function cached(budget: Budget, concurrency: number): Promise<number[]> {
  const k = await keystone();
  const agent = keepAliveAgent();
  const peer = await spawnPeer("bench/rows/keystone-authtoken-peer", [String(k.port), k.adminPassword]);
  const port = Number(peer.ready.port);
  try {
    const token = await adminToken(agent, k);
    const get = async () => expectStatus(await call(agent, port, "GET", "/", { "x-auth-token": token }), 200, "authtoken");
    return concurrency > 1 ? await sampleConcurrent(budget, concurrency, get) : await sample(budget, get);
  } finally {
    agent.destroy();
    await peer.stop();
  }
}

export const uncachedRow: BenchRow = {
  name: "keystone.validate_uncached",
  floorOf: "http.bare_node_http",
  run: (budget) => uncached(budget, 1),
};

export const uncachedThroughputRow: BenchRow = {
  name: `keystone.validate_uncached_x${CONCURRENCY}`,
  run(budget) {
    return uncached(budget, CONCURRENCY, 3000, this.name);
  },
};

export const cachedRow: BenchRow = {
  name: "keystone.validate_cached_authtoken",
  floorOf: "http.bare_node_http",
  run: (budget) => cached(budget, 1),
};

export const cachedThroughputRow: BenchRow = {
  name: `keystone.validate_cached_authtoken_x${CONCURRENCY}`,
  run: (budget) => cached(budget, CONCURRENCY),
};
