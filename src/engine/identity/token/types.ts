// What a token says, whichever format carries it (Fernet or JWS).
export interface TokenPayload {
  user_id: string;
  /** Auth method names, e.g. ["password"]; see methods.ts for the ones a token can carry. */
  methods: string[];
  project_id?: string;
  domain_id?: string;
  system?: "all";
  expires_at: Date;
  /** The token's own audit id first, then (for a rescoped token) the audit id of the token it came from. */
  audit_ids: string[];
  app_cred_id?: string;
  issued_at: Date;
}
