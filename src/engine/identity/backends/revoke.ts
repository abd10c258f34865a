import type { Db } from "../../common/db/database.js";

/** What a revocation event can name; a token is revoked when every named field matches it. */
export interface RevokeEvent {
  audit_id?: string;
  audit_chain_id?: string;
  user_id?: string;
  project_id?: string;
  domain_id?: string;
  role_id?: string;
  /** Milliseconds since epoch: tokens issued at or before this instant are revoked. */
  issued_before: number;
}

/** The token fields revocation looks at. */
export interface RevocableToken {
  user_id: string;
  project_id?: string;
  domain_id?: string;
  audit_ids: string[];
  issued_at: Date;
}

interface Row {
  audit_id: string | null;
  audit_chain_id: string | null;
  user_id: string | null;
  project_id: string | null;
  domain_id: string | null;
  role_id: string | null;
  issued_before: string;
}

/**
 * Keystone's revocation events, persisted in revocation_event (so a revocation survives a restart)
 * and indexed in memory so the validate path is a few Map lookups. Tokens carry issued_at in whole
 * seconds, so an event and a token minted later in the same second look simultaneous; this process
 * remembers when it minted each recent token to tell those apart instead of revoking the new one.
 */
export class RevocationBackend {
  private readonly byAudit = new Map<string, RevokeEvent[]>();
  private readonly byUser = new Map<string, RevokeEvent[]>();
  private readonly byProject = new Map<string, RevokeEvent[]>();
  private readonly byDomain = new Map<string, RevokeEvent[]>();
  /** audit id -> exact mint time (ms) of tokens minted in the last few seconds. */
  private readonly recentMints = new Map<string, number>();
  private lastEventMs = 0;

  constructor(
    private readonly db: Db,
    /** Events older than the longest token lifetime can never match again. */
    private readonly maxTokenLifetimeMs: number,
  ) {
    this.purge();
    for (const r of db.prepare<[], Row>("SELECT * FROM revocation_event").all()) this.index(fromRow(r));
  }

  revoke(e: Omit<RevokeEvent, "issued_before"> & { issued_before?: number }): void {
    const ev: RevokeEvent = { ...e, issued_before: e.issued_before ?? Date.now() };
    const t = new Date(ev.issued_before).toISOString();
    this.db
      .prepare(
        "INSERT INTO revocation_event (audit_id, audit_chain_id, user_id, project_id, domain_id, role_id, issued_before, expires_at, revoked_at) VALUES (?, ?, ?, ?, ?, ?, ?, NULL, ?)",
      )
      .run(
        ev.audit_id ?? null,
        ev.audit_chain_id ?? null,
        ev.user_id ?? null,
        ev.project_id ?? null,
        ev.domain_id ?? null,
        ev.role_id ?? null,
        t,
        new Date().toISOString(),
      );
    this.index(ev);
  }

  /** Called when this process mints a token, so a same-second event does not revoke it. */
  minted(auditId: string): void {
    const nowMs = Date.now();
    if (nowMs - this.lastEventMs < 2000) this.recentMints.set(auditId, nowMs);
    if (this.recentMints.size > 1000) {
      for (const [k, v] of this.recentMints) if (nowMs - v > 2000) this.recentMints.delete(k);
    }
  }

  isRevoked(tok: RevocableToken): boolean {
    const check = (list: RevokeEvent[] | undefined) => list?.some((e) => this.matches(e, tok)) ?? false;
    for (const a of tok.audit_ids) if (check(this.byAudit.get(a))) return true;
    if (check(this.byUser.get(tok.user_id))) return true;
    if (tok.project_id && check(this.byProject.get(tok.project_id))) return true;
    if (tok.domain_id && check(this.byDomain.get(tok.domain_id))) return true;
    return false;
  }

  private matches(e: RevokeEvent, tok: RevocableToken): boolean {
    if (e.user_id && e.user_id !== tok.user_id) return false;
    if (e.project_id && e.project_id !== tok.project_id) return false;
    if (e.domain_id && e.domain_id !== tok.domain_id) return false;
    if (e.audit_id && e.audit_id !== tok.audit_ids[0]) return false;
    if (e.audit_chain_id && !tok.audit_ids.includes(e.audit_chain_id)) return false;
    const issued = tok.issued_at.getTime();
    const eventSecond = Math.floor(e.issued_before / 1000) * 1000;
    if (issued > eventSecond) return false;
    if (issued === eventSecond) {
      // Same second: only a token this process knows it minted after the event escapes.
      const mintedAt = this.recentMints.get(tok.audit_ids[0] ?? "");
      if (mintedAt !== undefined && mintedAt > e.issued_before) return false;
    }
    return true;
  }

  private index(e: RevokeEvent): void {
    const add = (m: Map<string, RevokeEvent[]>, k: string) => {
      const list = m.get(k) ?? [];
      list.push(e);
      m.set(k, list);
    };
    this.lastEventMs = Math.max(this.lastEventMs, e.issued_before);
    if (e.audit_id) add(this.byAudit, e.audit_id);
    else if (e.audit_chain_id) add(this.byAudit, e.audit_chain_id);
    else if (e.user_id) add(this.byUser, e.user_id);
    else if (e.project_id) add(this.byProject, e.project_id);
    else if (e.domain_id) add(this.byDomain, e.domain_id);
  }

  private purge(): void {
    const cutoff = new Date(Date.now() - this.maxTokenLifetimeMs - 60_000).toISOString();
    this.db.prepare("DELETE FROM revocation_event WHERE issued_before < ?").run(cutoff);
  }

  list(): RevokeEvent[] {
    return this.db.prepare<[], Row>("SELECT * FROM revocation_event ORDER BY id").all().map(fromRow);
  }
}

function fromRow(r: Row): RevokeEvent {
  const e: RevokeEvent = { issued_before: Date.parse(r.issued_before) };
  if (r.audit_id) e.audit_id = r.audit_id;
  if (r.audit_chain_id) e.audit_chain_id = r.audit_chain_id;
  if (r.user_id) e.user_id = r.user_id;
  if (r.project_id) e.project_id = r.project_id;
  if (r.domain_id) e.domain_id = r.domain_id;
  if (r.role_id) e.role_id = r.role_id;
  return e;
}
