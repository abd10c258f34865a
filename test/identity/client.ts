// A tiny HTTP client for the identity tests: JSON in, status + JSON out, tokens by password.
export interface Res {
  status: number;
  headers: Headers;
  body: any;
}

export async function call(
  url: string,
  method: string,
  path: string,
  opts: { token?: string; body?: unknown; raw?: string; headers?: Record<string, string> } = {},
): Promise<Res> {
  const headers: Record<string, string> = { ...opts.headers };
  if (opts.token) headers["x-auth-token"] = opts.token;
  let body: string | undefined;
  if (opts.raw !== undefined) body = opts.raw;
  else if (opts.body !== undefined) body = JSON.stringify(opts.body);
  if (body !== undefined) headers["content-type"] = "application/json";
  const res = await fetch(`${url}${path}`, { method, headers, body });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    // leave as text
  }
  return { status: res.status, headers: res.headers, body: parsed };
}

export type Scope = { project: unknown } | { domain: unknown } | { system: { all: true } } | "unscoped" | undefined;

export function passwordAuth(user: Record<string, unknown>, password: string, scope?: Scope) {
  const auth: Record<string, unknown> = { identity: { methods: ["password"], password: { user: { ...user, password } } } };
  if (scope !== undefined) auth.scope = scope;
  return { auth };
}

/** POST /v3/auth/tokens; returns the token id and body (status checked by the caller when it matters). */
export async function login(
  url: string,
  user: Record<string, unknown>,
  password: string,
  scope?: Scope,
): Promise<{ token: string; res: Res }> {
  const res = await call(url, "POST", "/v3/auth/tokens", { body: passwordAuth(user, password, scope) });
  return { token: res.headers.get("x-subject-token") ?? "", res };
}

export const adminUser = { name: "admin", domain: { id: "default" } };
export const adminProject = { project: { name: "admin", domain: { id: "default" } } };
