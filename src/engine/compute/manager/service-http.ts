// How the compute reaches other services' HTTP APIs (Placement, Glance) as the service user, like
// nova's keystoneauth adapters: a token from Keystone with the [keystone_authtoken] credentials and
// the endpoint from the catalog; with [api] auth_strategy = noauth2 a noauth token and the local port.
import type { Config } from "../../common/config/config.js";
import { localUrl as localServiceUrl } from "../../common/urls.js";
import { authtokenSettings } from "../../common/auth/settings.js";
import { Session } from "../../../client/session.js";
import { log } from "../../common/log.js";
import { layout } from "../../common/paths.js";
import { type FetchLike, serviceFetch } from "../../common/tls/client-identity.js";

export interface HttpReply {
  status: number;
  body: any;
}

/** One service's API: base URL and token resolved lazily, re-authenticating once on a 401. */
export class ServiceHttp {
  constructor(
    readonly serviceType: string,
    private readonly baseUrl: () => Promise<string>,
    private readonly token: (fresh: boolean) => Promise<string>,
    private readonly versionHeader?: string,
    /** global fetch, or one that presents this service's client certificate (mutual TLS). */
    private readonly send: FetchLike = fetch,
  ) {}

  async request(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<HttpReply> {
    const url = (await this.baseUrl()).replace(/\/+$/, "") + path;
    const send = async (fresh: boolean) => {
      const h: Record<string, string> = { accept: "application/json", "x-auth-token": await this.token(fresh), ...headers };
      if (this.versionHeader) h["openstack-api-version"] = this.versionHeader;
      let payload: string | Buffer | undefined;
      if (Buffer.isBuffer(body)) payload = body;
      else if (body !== undefined) {
        h["content-type"] = "application/json";
        payload = JSON.stringify(body);
      }
      return this.send(url, { method, headers: h, body: payload });
    };
    let res = await send(false);
    if (res.status === 401) res = await send(true);
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      // not JSON: keep the text for the error message
    }
    return { status: res.status, body: parsed };
  }
}

const PORT_OPTION: Record<string, string> = { placement: "placement_port", image: "glance_port" };

const serviceSessions = new Map<string, Session>();

/** A ServiceHttp for `placement` or `image`, from pocketstack.conf. */
export function serviceHttp(config: Config, stateDir: string, serviceType: "placement" | "image", versionHeader?: string): ServiceHttp {
  const localUrl = localServiceUrl(config, config.int("api", PORT_OPTION[serviceType] as string));
  if (config.str("api", "auth_strategy") === "noauth2") {
    // noauth2 trusts `user:project`; the admin user carries the admin role placement's policy asks for.
    return new ServiceHttp(
      serviceType,
      async () => localUrl,
      async () => "admin:service",
      versionHeader,
      serviceFetch(config, layout(stateDir)),
    );
  }
  // One service-user session per process: the nodes of a multi-node worker (and Placement + Glance)
  // share one token instead of each paying a Keystone password check (bcrypt) at start.
  const getSession = () => {
    let session = serviceSessions.get(stateDir);
    if (!session) {
      session = new Session({
        auth: authtokenSettings({ state_dir: stateDir, config }, {}).service(),
        cache: false,
        userAgent: "nova-compute",
      });
      serviceSessions.set(stateDir, session);
    }
    return session;
  };
  const base = async () => {
    try {
      return await getSession().endpointFor(serviceType);
    } catch (err) {
      log.debug(`no ${serviceType} endpoint in the catalog (${(err as Error).message}); using ${localUrl}`);
      return localUrl;
    }
  };
  const token = async (fresh: boolean) => {
    if (fresh) getSession().invalidate();
    return getSession().token();
  };
  return new ServiceHttp(serviceType, base, token, versionHeader, serviceFetch(config, layout(stateDir)));
}
