import { Session } from "../../../client/session.js";
import { authtokenSettings } from "../../common/auth/settings.js";
import { localUrl } from "../../common/urls.js";
import { layout } from "../../common/paths.js";
import { serviceFetch } from "../../common/tls/client-identity.js";
import type { Config } from "../../common/config/config.js";
import type { RequestContext } from "../../common/context.js";
import { formatTraceparent } from "../../common/trace/span.js";
import { withSpan } from "../../common/trace/tracer.js";

export interface Reply<T = any> {
  status: number;
  body: T;
  headers: Record<string, string | string[] | undefined>;
}

type ServiceType = "image" | "placement";

/**
 * How nova reaches Glance and Placement over their public HTTP APIs (keystoneauth adapters): with
 * Keystone, the endpoint comes from the catalog and Placement is called as the service user
 * ([keystone_authtoken] credentials) while Glance gets the user's own token; with noauth2 (tests, no
 * Keystone) the local ports are used and the noauth tokens are `admin:admin` / the user's `user:project`.
 */
export class ServiceClients {
  private session?: Session;
  private send?: ReturnType<typeof serviceFetch>;
  private readonly noauth: boolean;

  constructor(
    private readonly config: Config,
    private readonly stateDir: string,
  ) {
    this.noauth = config.str("api", "auth_strategy") === "noauth2";
  }

  private serviceSession(): Session {
    if (!this.session) {
      const settings = authtokenSettings({ config: this.config, state_dir: this.stateDir }, {});
      this.session = new Session({
        auth: { ...settings.service(), region_name: this.config.str("placement", "region_name") },
        cache: false,
      });
    }
    return this.session;
  }

  private async base(type: ServiceType): Promise<string> {
    if (this.noauth) {
      const port = this.config.int("api", type === "image" ? "glance_port" : "placement_port");
      return localUrl(this.config, port);
    }
    return (
      await this.serviceSession()
        .endpointFor(type, { interface: "internal" })
        .catch(() => this.serviceSession().endpointFor(type))
    ).replace(/\/+$/, "");
  }

  private async serviceToken(): Promise<string> {
    return this.noauth ? "admin:admin" : this.serviceSession().token();
  }

  async request<T = any>(
    type: ServiceType,
    method: string,
    path: string,
    opts: { body?: unknown; microversion?: string; ctx?: RequestContext; headers?: Record<string, string> } = {},
  ): Promise<Reply<T>> {
    const url = (await this.base(type)) + path;
    const headers: Record<string, string> = { accept: "application/json", ...(opts.headers ?? {}) };
    headers["x-auth-token"] = opts.ctx?.auth_token ?? (await this.serviceToken());
    if (opts.microversion) headers["openstack-api-version"] = `${type} ${opts.microversion}`;
    if (opts.ctx?.request_id) headers["x-openstack-request-id"] = opts.ctx.global_request_id ?? opts.ctx.request_id;
    let payload: string | Buffer | undefined;
    if (opts.body !== undefined) {
      payload = Buffer.isBuffer(opts.body) ? opts.body : JSON.stringify(opts.body);
      headers["content-type"] ??= "application/json";
    }
    return withSpan(
      `${method} ${type}${path.split("?")[0]}`,
      "http",
      async (span) => {
        // W3C trace context: Glance's and Placement's spans join this request's trace under this call.
        headers.traceparent = formatTraceparent(span.context);
        // Not global fetch: it could not present this service's client certificate to a mutual-TLS API.
        this.send ??= serviceFetch(this.config, layout(this.stateDir));
        const res = await this.send(url, { method, headers, body: payload });
        const text = await res.text();
        let body: unknown = text;
        try {
          body = text ? JSON.parse(text) : undefined;
        } catch {}
        return { status: res.status, body: body as T, headers: Object.fromEntries(res.headers.entries()) };
      },
      { attributes: { service: type, method, path } },
    );
  }
}
