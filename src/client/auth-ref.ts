import { ClientConfigError } from "./errors.js";

export interface CatalogEndpoint {
  id?: string;
  interface: string;
  region?: string;
  region_id?: string;
  url: string;
}
export interface CatalogService {
  id?: string;
  type: string;
  name?: string;
  endpoints: CatalogEndpoint[];
}
interface Named {
  id: string;
  name?: string;
  domain?: { id: string; name?: string };
}
/** The `token` object of a Keystone v3 token response. */
export interface TokenBody {
  methods?: string[];
  user: Named;
  project?: Named;
  domain?: { id: string; name?: string };
  system?: { all?: boolean };
  roles?: Array<{ id: string; name: string }>;
  catalog?: CatalogService[];
  expires_at: string;
  issued_at?: string;
  audit_ids?: string[];
  is_admin_project?: boolean;
  application_credential?: { id: string; name?: string };
}

/** A token plus what Keystone said about it (keystoneauth's AccessInfo). */
export class AuthRef {
  constructor(
    readonly token: string,
    readonly body: TokenBody,
  ) {}

  get expiresAt(): string {
    return this.body.expires_at;
  }
  get userId(): string {
    return this.body.user.id;
  }
  get projectId(): string | undefined {
    return this.body.project?.id;
  }
  get domainId(): string | undefined {
    return this.body.domain?.id;
  }
  get systemScoped(): boolean {
    return this.body.system?.all === true;
  }
  get roleNames(): string[] {
    return (this.body.roles ?? []).map((r) => r.name);
  }
  get catalog(): CatalogService[] {
    return this.body.catalog ?? [];
  }

  /**
   * The URL of a service by type, interface and region; wording of the failure as keystoneauth's
   * EndpointNotFound so scripts that grep for it keep working.
   */
  endpointFor(serviceType: string, iface = "public", region?: string): string {
    const services = this.catalog.filter((s) => s.type === serviceType);
    for (const s of services) {
      const ep = s.endpoints.find((e) => e.interface === iface && (!region || e.region_id === region || e.region === region));
      if (ep) return ep.url.replace(/\/+$/, "");
    }
    const where = region ? ` in ${region} region` : "";
    throw new ClientConfigError(`${iface} endpoint for ${serviceType} service${where} not found`);
  }
}
