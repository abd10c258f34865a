import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createTokenProvider, newAuditId, setupKeyRepository } from "../../engine/identity/token/index.js";
import { type BenchRow, sample } from "../row.js";

/**
 * Floor of token validation: decrypting and unpacking one project-scoped Fernet token in-process,
 * with no HTTP, database or revocation check around it.
 */
export const row: BenchRow = {
  name: "keystone.fernet_validate_in_process",
  async run(budget) {
    const dir = mkdtempSync(join(tmpdir(), "pocketstack-bench-fernet-"));
    try {
      setupKeyRepository(dir);
      const provider = createTokenProvider("fernet", dir);
      const { token } = await provider.issue({
        user_id: "0123456789abcdef0123456789abcdef",
        methods: ["password"],
        project_id: "fedcba9876543210fedcba9876543210",
        expires_at: new Date(Date.now() + 3600_000),
        audit_ids: [newAuditId()],
      });
      return await sample(budget, () => provider.validate(token));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
};
