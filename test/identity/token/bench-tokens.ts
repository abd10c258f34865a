// Quick throughput check for the token providers (not a test): issues and validations per second,
// single process. Run: node --import tsx test/identity/token/bench-tokens.ts [seconds-per-case]
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  createJwsKeyPair,
  createTokenProvider,
  newAuditId,
  rotateKeys,
  setupKeyRepository,
} from "../../../src/engine/identity/token/index.js";

const seconds = Number(process.argv[2] ?? 1);
const root = mkdtempSync(join(tmpdir(), "token-bench-"));

async function rate(label: string, op: () => Promise<unknown>) {
  for (let i = 0; i < 200; i++) await op(); // warm up
  const start = performance.now();
  let n = 0;
  while (performance.now() - start < seconds * 1000) {
    for (let i = 0; i < 100; i++) await op();
    n += 100;
  }
  const perSecond = Math.round(n / ((performance.now() - start) / 1000));
  console.log(`${label.padEnd(34)} ${String(perSecond).padStart(7)} /s`);
}

try {
  const fernetDir = join(root, "fernet");
  setupKeyRepository(fernetDir);
  rotateKeys(fernetDir, 3); // a primary, a secondary and a staged key, as in a rotated deployment
  const jwsDir = join(root, "jws");
  createJwsKeyPair(jwsDir);
  const payload = {
    user_id: "9fe1d3c6d4b14b6c8f1e2c1a0b9d8e7f",
    methods: ["password"],
    project_id: "3c2b1a09f8e7d6c5b4a3928170615243",
    expires_at: new Date(Date.now() + 3600_000),
    audit_ids: [newAuditId()],
  };
  for (const kind of ["fernet", "jws"] as const) {
    const provider = createTokenProvider(kind, kind === "fernet" ? fernetDir : jwsDir);
    const { token } = await provider.issue(payload);
    await rate(`${kind} issue (project-scoped)`, () => provider.issue(payload));
    await rate(`${kind} validate`, () => provider.validate(token));
  }
} finally {
  rmSync(root, { recursive: true, force: true });
}
