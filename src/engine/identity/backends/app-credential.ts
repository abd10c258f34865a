import type { Db } from "../../common/db/database.js";
import { conflict, notFound } from "../errors.js";
import { type HashAlgorithm, checkPasswordAsync, hashPassword } from "../password.js";
import { newId, now } from "./util.js";

export interface AppCredential {
  id: string;
  name: string;
  description: string | null;
  user_id: string;
  project_id: string | null;
  system: string | null;
  expires_at: string | null;
  unrestricted: boolean;
  role_ids: string[];
}
interface Row {
  internal_id: number;
  id: string;
  name: string;
  secret_hash: string;
  description: string | null;
  user_id: string;
  project_id: string | null;
  system: string | null;
  expires_at: string | null;
  unrestricted: number;
}

/** Application credentials: a named secret (stored hashed) standing for a user on one project with a subset of roles. */
export class AppCredentialBackend {
  constructor(
    private readonly db: Db,
    private readonly hash: { algorithm: HashAlgorithm; rounds: number },
  ) {}

  private to(r: Row): AppCredential {
    const roles = this.db
      .prepare<[number], { role_id: string }>("SELECT role_id FROM application_credential_role WHERE application_credential_id = ?")
      .all(r.internal_id)
      .map((x) => x.role_id);
    return {
      id: r.id,
      name: r.name,
      description: r.description,
      user_id: r.user_id,
      project_id: r.project_id,
      system: r.system,
      expires_at: r.expires_at,
      unrestricted: r.unrestricted === 1,
      role_ids: roles,
    };
  }

  create(a: Omit<AppCredential, "id"> & { secret: string }): AppCredential {
    if (this.db.prepare("SELECT 1 FROM application_credential WHERE user_id = ? AND name = ?").get(a.user_id, a.name))
      throw conflict("application_credential", `Duplicate entry found with name ${a.name}`);
    const id = newId();
    this.db.transaction(() => {
      const res = this.db
        .prepare(
          "INSERT INTO application_credential (id, name, secret_hash, description, user_id, project_id, system, expires_at, unrestricted, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .run(
          id,
          a.name,
          hashPassword(a.secret, this.hash.algorithm, this.hash.rounds),
          a.description,
          a.user_id,
          a.project_id,
          a.system,
          a.expires_at,
          a.unrestricted ? 1 : 0,
          now(),
        );
      const ins = this.db.prepare("INSERT INTO application_credential_role (application_credential_id, role_id) VALUES (?, ?)");
      for (const r of a.role_ids) ins.run(Number(res.lastInsertRowid), r);
    })();
    return this.get(id);
  }
  find(id: string): AppCredential | undefined {
    const r = this.db.prepare<[string], Row>("SELECT * FROM application_credential WHERE id = ?").get(id);
    return r && this.to(r);
  }
  get(id: string): AppCredential {
    const a = this.find(id);
    if (!a) throw notFound("application credential", id);
    return a;
  }
  findByName(userId: string, name: string): AppCredential | undefined {
    const r = this.db
      .prepare<[string, string], Row>("SELECT * FROM application_credential WHERE user_id = ? AND name = ?")
      .get(userId, name);
    return r && this.to(r);
  }
  list(userId: string, name?: string): AppCredential[] {
    return this.db
      .prepare<[string], Row>("SELECT * FROM application_credential WHERE user_id = ? ORDER BY name")
      .all(userId)
      .filter((r) => name === undefined || r.name === name)
      .map((r) => this.to(r));
  }
  async checkSecret(id: string, secret: string): Promise<boolean> {
    const r = this.db.prepare<[string], { secret_hash: string }>("SELECT secret_hash FROM application_credential WHERE id = ?").get(id);
    return r ? checkPasswordAsync(secret, r.secret_hash) : false;
  }
  delete(id: string): void {
    this.get(id);
    this.db.prepare("DELETE FROM application_credential WHERE id = ?").run(id);
  }
}
