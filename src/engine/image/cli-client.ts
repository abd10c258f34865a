import type { Readable } from "node:stream";
import { ApiError, type RequestOptions, Session } from "../../client/index.js";
import { CommandError } from "../../client/identity.js";

/** The flags the image commands add to ClientCommand's: talking to an image endpoint directly, without Keystone. */
export interface DirectFlags {
  "os-auth-type"?: string;
  "os-endpoint"?: string;
  "os-token"?: string;
}

export type Image = Record<string, any> & { id: string };
export type Member = Record<string, any>;

/** Auth types that skip Keystone: the endpoint is given and the token (if any) is sent as is (keystoneauth's admin_token). */
const DIRECT = ["admin_token", "token_endpoint", "none", "noauth"];

export class ImageClient {
  constructor(
    private readonly session: Session,
    private readonly endpoint: () => Promise<string>,
    private readonly token?: string,
    private readonly direct = false,
  ) {}

  /**
   * The client a command uses: with --os-auth-type admin_token/none and --os-endpoint it talks to that
   * endpoint with the token as is; otherwise through the command's Keystone session and its catalog.
   */
  static forCommand(flags: DirectFlags, session: () => Session): ImageClient {
    const authType = flags["os-auth-type"] ?? process.env.OS_AUTH_TYPE;
    const endpoint = flags["os-endpoint"] ?? process.env.OS_ENDPOINT;
    if (authType && DIRECT.includes(authType)) {
      if (!endpoint) throw new CommandError(`--os-endpoint (or OS_ENDPOINT) is required with auth type ${authType}`);
      const direct = new Session({ auth: { auth_url: endpoint }, cache: false });
      return new ImageClient(direct, async () => endpoint.replace(/\/+$/, ""), flags["os-token"] ?? process.env.OS_TOKEN, true);
    }
    const s = session();
    const base = endpoint
      ? async () => endpoint.replace(/\/+$/, "")
      : async () => (await s.endpointFor("image")).replace(/\/+$/, "").replace(/\/v2$/, "");
    return new ImageClient(s, base);
  }

  private async call<T = unknown>(method: string, path: string, opts: RequestOptions = {}) {
    const base = await this.endpoint();
    // In direct mode (no Keystone) the given token goes out as is and the session never authenticates.
    const headers = { ...(opts.headers ?? {}), ...(this.direct && this.token ? { "x-auth-token": this.token } : {}) };
    return this.session.request<T>(base, method, path, { ...opts, headers, noAuth: this.direct || opts.noAuth });
  }

  async get(id: string): Promise<Image> {
    return (await this.call<Image>("GET", `/v2/images/${encodeURIComponent(id)}`)).body;
  }

  /** Every image matching the query, following `next` links (the SDK's paginated generator). */
  async listAll(query: Record<string, string | string[] | undefined>): Promise<Image[]> {
    const out: Image[] = [];
    let res = await this.call<{ images: Image[]; next?: string }>("GET", "/v2/images", { query });
    for (let pages = 0; pages < 10_000; pages++) {
      out.push(...res.body.images);
      if (!res.body.next || res.body.images.length === 0 || query.limit !== undefined) break;
      res = await this.call("GET", res.body.next);
    }
    return out;
  }

  /** osc-lib's find_resource for images: an ID first, then an exact name. */
  async find(nameOrId: string): Promise<Image> {
    try {
      return await this.get(nameOrId);
    } catch (err) {
      if (!(err instanceof ApiError) || (err.status !== 404 && err.status !== 400)) throw err;
    }
    const matches = await this.listAll({ name: nameOrId });
    if (matches.length === 0) throw new CommandError(`No Image found for ${nameOrId}`);
    if (matches.length > 1) throw new CommandError(`More than one Image exists with the name '${nameOrId}'.`);
    return matches[0] as Image;
  }

  async create(body: Record<string, unknown>): Promise<Image> {
    return (await this.call<Image>("POST", "/v2/images", { body })).body;
  }

  async upload(id: string, data: Readable): Promise<void> {
    await this.call("PUT", `/v2/images/${id}/file`, { body: data, headers: { "content-type": "application/octet-stream" } });
  }

  /** The image's bytes as a stream (undefined when it has no data: Glance's 204). */
  async download(id: string): Promise<Readable | undefined> {
    const res = await this.call("GET", `/v2/images/${id}/file`, { stream: true, headers: { accept: "application/octet-stream" } });
    return res.status === 204 ? undefined : res.stream;
  }

  async patch(id: string, ops: Array<Record<string, unknown>>): Promise<Image> {
    return (
      await this.call<Image>("PATCH", `/v2/images/${id}`, {
        body: JSON.stringify(ops),
        headers: { "content-type": "application/openstack-images-v2.1-json-patch" },
      })
    ).body;
  }

  async remove(id: string): Promise<void> {
    await this.call("DELETE", `/v2/images/${id}`);
  }

  async addTag(id: string, tag: string): Promise<void> {
    await this.call("PUT", `/v2/images/${id}/tags/${encodeURIComponent(tag)}`);
  }

  async removeTag(id: string, tag: string): Promise<void> {
    await this.call("DELETE", `/v2/images/${id}/tags/${encodeURIComponent(tag)}`);
  }

  async action(id: string, action: "deactivate" | "reactivate"): Promise<void> {
    await this.call("POST", `/v2/images/${id}/actions/${action}`);
  }

  async addMember(id: string, member: string): Promise<Member> {
    return (await this.call<Member>("POST", `/v2/images/${id}/members`, { body: { member } })).body;
  }

  async removeMember(id: string, member: string): Promise<void> {
    await this.call("DELETE", `/v2/images/${id}/members/${encodeURIComponent(member)}`);
  }

  async setMemberStatus(id: string, member: string, status: string): Promise<Member> {
    return (await this.call<Member>("PUT", `/v2/images/${id}/members/${encodeURIComponent(member)}`, { body: { status } })).body;
  }

  async members(id: string): Promise<Member[]> {
    return (await this.call<{ members: Member[] }>("GET", `/v2/images/${id}/members`)).body.members;
  }

  /** The project the session is scoped to (for --accept/--reject), from the token or the noauth token. */
  async currentProject(): Promise<string> {
    if (this.direct) {
      // noauth2's token is `user:project` (or just `user`, which is also the project).
      const t = this.token ?? "";
      return t.includes(":") ? (t.split(":")[1] as string) : t;
    }
    const project = (await this.session.authRef()).body.project?.id;
    if (!project) throw new CommandError("The current token is not scoped to a project.");
    return project;
  }

  /** Close the session this client made for itself (a command's own session is the command's to close). */
  close(): void {
    if (this.direct) this.session.close();
  }
}
