import { identityRoot } from "../../../client/auth-config.js";
import type { TokenBody } from "../../../client/auth-ref.js";
import { ApiError } from "../../../client/errors.js";
import type { Session } from "../../../client/session.js";

export type Validation = { valid: true; token: TokenBody } | { valid: false };

/** Keystone could not be asked (down, or it refused the service's own credentials): a 503, not a 401. */
export class IdentityUnavailable extends Error {
  override name = "IdentityUnavailable";
}

interface Entry {
  result: Validation;
  until: number;
}

/**
 * Validates user tokens with `GET /v3/auth/tokens` (X-Subject-Token), authenticated as the service
 * user, and remembers answers for token_cache_time seconds but never past a token's own expiry.
 * Invalid tokens are remembered too, as keystonemiddleware does, so a flood of bad tokens does not
 * become a flood of calls to Keystone.
 */
export class TokenValidator {
  private readonly cache = new Map<string, Entry>();
  /** Calls made to Keystone (tests read it to see the cache working). */
  calls = 0;

  private session?: Session;
  constructor(
    private readonly makeSession: () => Session,
    private readonly cacheSeconds: number,
    private readonly maxEntries = 10_000,
    private readonly now: () => number = Date.now,
  ) {}

  async validate(token: string): Promise<Validation> {
    const hit = this.cache.get(token);
    if (hit && hit.until > this.now()) return hit.result;
    if (hit) this.cache.delete(token);
    const result = await this.ask(token);
    this.remember(token, result);
    return result;
  }

  private async ask(token: string): Promise<Validation> {
    this.calls++;
    let url = "Keystone";
    try {
      this.session ??= this.makeSession();
      url = identityRoot(this.session.auth.auth_url);
      const res = await this.session.get<{ token: TokenBody }>(url, "/auth/tokens", { headers: { "x-subject-token": token } });
      return { valid: true, token: res.body.token };
    } catch (err) {
      if (err instanceof ApiError && (err.status === 404 || err.status === 400)) return { valid: false };
      throw new IdentityUnavailable(`token validation against ${url} failed: ${(err as Error).message}`);
    }
  }

  private remember(token: string, result: Validation): void {
    if (this.cacheSeconds <= 0) return;
    let until = this.now() + this.cacheSeconds * 1000;
    if (result.valid) until = Math.min(until, Date.parse(result.token.expires_at));
    if (this.cache.size >= this.maxEntries) {
      const oldest = this.cache.keys().next().value;
      if (oldest !== undefined) this.cache.delete(oldest);
    }
    this.cache.set(token, { result, until });
  }
}
