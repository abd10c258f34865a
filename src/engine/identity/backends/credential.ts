import type { Db } from "../../common/db/database.js";
import { notFound } from "../errors.js";
import { extraOf, newId, parseExtra } from "./util.js";

export interface Credential {
  id: string;
  user_id: string;
  project_id: string | null;
  type: string;
  blob: string;
  [extra: string]: unknown;
}
interface Row {
  id: string;
  user_id: string;
  project_id: string | null;
  type: string;
  blob: string;
  extra: string;
}
const COLUMNS = ["id", "user_id", "project_id", "type", "blob"];

/** Credentials (ec2, totp, cert…): opaque blobs owned by a user. */
export class CredentialBackend {
  constructor(private readonly db: Db) {}

  private to(r: Row): Credential {
    return { ...parseExtra(r.extra), id: r.id, user_id: r.user_id, project_id: r.project_id, type: r.type, blob: r.blob };
  }
  create(c: { id?: string; user_id: string; project_id?: string | null; type: string; blob: string; [k: string]: unknown }): Credential {
    const id = c.id ?? newId();
    this.db
      .prepare("INSERT INTO credential (id, user_id, project_id, type, blob, extra) VALUES (?, ?, ?, ?, ?, ?)")
      .run(id, c.user_id, c.project_id ?? null, c.type, c.blob, JSON.stringify(extraOf(c, COLUMNS)));
    return this.get(id);
  }
  find(id: string): Credential | undefined {
    const r = this.db.prepare<[string], Row>("SELECT * FROM credential WHERE id = ?").get(id);
    return r && this.to(r);
  }
  get(id: string): Credential {
    const c = this.find(id);
    if (!c) throw notFound("credential", id);
    return c;
  }
  list(f: { user_id?: string; type?: string } = {}): Credential[] {
    return this.db
      .prepare<[], Row>("SELECT * FROM credential ORDER BY rowid")
      .all()
      .map((r) => this.to(r))
      .filter((c) => (f.user_id === undefined || c.user_id === f.user_id) && (f.type === undefined || c.type === f.type));
  }
  update(id: string, patch: Record<string, unknown>): Credential {
    const m = { ...this.get(id), ...patch };
    this.db
      .prepare("UPDATE credential SET user_id = ?, project_id = ?, type = ?, blob = ?, extra = ? WHERE id = ?")
      .run(
        String(m.user_id),
        (m.project_id as string | null) ?? null,
        String(m.type),
        String(m.blob),
        JSON.stringify(extraOf(m, COLUMNS)),
        id,
      );
    return this.get(id);
  }
  delete(id: string): void {
    this.get(id);
    this.db.prepare("DELETE FROM credential WHERE id = ?").run(id);
  }
}
