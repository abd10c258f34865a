import { spawnPeer } from "../peer.js";
import { type BenchRow, type Budget, sample } from "../row.js";
import { CONCURRENCY, adminToken, call, expectStatus, sampleConcurrent, sampleKeystone, withKeystone } from "./keystone-common.js";

/**
 * `GET /v3/auth/tokens` against keystone, as keystonemiddleware asks it on a cache miss: the service's
 * token in X-Auth-Token, the user's in X-Subject-Token (both are validated), `?nocatalog` off.
 */
function uncached(budget: Budget, concurrency: number, target?: { name: string; minOps: number }): Promise<number[]> {
  return withKeystone(async (k, agent) => {
    const service = await adminToken(agent, k);
    const user = await adminToken(agent, k);
    const validate = async () =>
      expectStatus(
        await call(agent, k.port, "GET", "/v3/auth/tokens", { "x-auth-token": service, "x-subject-token": user }),
        200,
        "validate",
      );
    return sampleKeystone(budget, k, concurrency, validate, target);
  });
}

/** A request through authtoken (validation cached after the first) in front of a no-op app, in its own process. */
function cached(budget: Budget, concurrency: number): Promise<number[]> {
  return withKeystone(async (k, agent) => {
    const peer = await spawnPeer("bench/rows/keystone-authtoken-peer", [String(k.port), k.adminPassword]);
    const port = Number(peer.ready.port);
    try {
      const token = await adminToken(agent, k);
      const get = async () => expectStatus(await call(agent, port, "GET", "/", { "x-auth-token": token }), 200, "authtoken");
      return concurrency > 1 ? await sampleConcurrent(budget, concurrency, get) : await sample(budget, get);
    } finally {
      await peer.stop();
    }
  });
}

export const uncachedRow: BenchRow = {
  name: "keystone.validate_uncached",
  floorOf: "http.bare_node_http",
  run: (budget) => uncached(budget, 1),
};

export const uncachedThroughputRow: BenchRow = {
  name: `keystone.validate_uncached_x${CONCURRENCY}`,
  run(budget) {
    return uncached(budget, CONCURRENCY, { name: this.name, minOps: 3000 });
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
