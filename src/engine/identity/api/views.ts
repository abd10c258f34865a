import type { HttpRequest } from "../../common/http/types.js";
import type { AppCredential } from "../backends/app-credential.js";
import type { Role } from "../backends/assignment.js";
import type { Endpoint, Region, Service } from "../backends/catalog.js";
import type { Credential } from "../backends/credential.js";
import type { Group, User } from "../backends/identity.js";
import type { Domain, Project } from "../backends/resource.js";
import { links } from "./common.js";

// The JSON Keystone returns for each kind of object, with its `links.self`.

export const domainView = (req: HttpRequest, d: Domain) => ({ ...d, links: links(req, `/domains/${d.id}`) });
export const projectView = (req: HttpRequest, p: Project) => ({ ...p, links: links(req, `/projects/${p.id}`) });
export const userView = (req: HttpRequest, u: User) => ({ ...u, links: links(req, `/users/${u.id}`) });
export const groupView = (req: HttpRequest, g: Group) => ({ ...g, links: links(req, `/groups/${g.id}`) });
export const roleView = (req: HttpRequest, r: Role) => ({ ...r, links: links(req, `/roles/${r.id}`) });
export const serviceView = (req: HttpRequest, s: Service) => ({ ...s, links: links(req, `/services/${s.id}`) });
export const endpointView = (req: HttpRequest, e: Endpoint) => ({ ...e, links: links(req, `/endpoints/${e.id}`) });
export const regionView = (req: HttpRequest, r: Region) => ({ ...r, links: links(req, `/regions/${r.id}`) });
export const credentialView = (req: HttpRequest, c: Credential) => ({ ...c, links: links(req, `/credentials/${c.id}`) });

export function appCredentialView(req: HttpRequest, a: AppCredential, roleOf: (id: string) => Role | undefined) {
  return {
    id: a.id,
    name: a.name,
    description: a.description,
    user_id: a.user_id,
    project_id: a.project_id,
    system: a.system,
    expires_at: a.expires_at,
    unrestricted: a.unrestricted,
    roles: a.role_ids
      .map(roleOf)
      .filter((r): r is Role => !!r)
      .map((r) => ({ id: r.id, name: r.name, domain_id: r.domain_id })),
    access_rules: [],
    links: links(req, `/users/${a.user_id}/application_credentials/${a.id}`),
  };
}
