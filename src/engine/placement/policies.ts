import type { PolicyOperation, RuleDefault } from "../common/policy/index.js";

/**
 * Placement's policy-in-code defaults: almost everything is for admins and services (`role:admin or
 * role:service`); usages may also be read by a project reader of that project; /reshaper is for
 * services only. Check strings as placement ships them; descriptions are ours.
 */
const ADMIN_OR_SERVICE = "rule:admin_or_service_api";
const op = (method: string, path: string): PolicyOperation => ({ method, path });
const rule = (name: string, checkStr: string, description: string, operations: PolicyOperation[]): RuleDefault => ({
  name,
  checkStr,
  description,
  scopeTypes: ["project"],
  operations,
});
const RP = "/resource_providers/{uuid}";

export const PLACEMENT_POLICY_DEFAULTS: RuleDefault[] = [
  { name: "admin_api", checkStr: "role:admin", description: "Default rule for most placement APIs.", scopeTypes: ["project"] },
  {
    name: "service_api",
    checkStr: "role:service",
    description: "Default rule for service-to-service placement APIs.",
    scopeTypes: ["project"],
  },
  {
    name: "admin_or_service_api",
    checkStr: "role:admin or role:service",
    description: "Default rule for most placement APIs.",
    scopeTypes: ["project"],
  },
  {
    name: "project_reader_api",
    checkStr: "role:reader and project_id:%(project_id)s",
    description: "Default rule for project level reader APIs.",
  },
  {
    name: "admin_or_project_reader_or_service_api",
    checkStr: "role:admin or rule:project_reader_api or role:service",
    description: "Default rule for project level reader APIs.",
    scopeTypes: ["project"],
  },
  rule("placement:resource_providers:list", ADMIN_OR_SERVICE, "List resource providers.", [op("GET", "/resource_providers")]),
  rule("placement:resource_providers:create", ADMIN_OR_SERVICE, "Create resource provider.", [op("POST", "/resource_providers")]),
  rule("placement:resource_providers:show", ADMIN_OR_SERVICE, "Show resource provider.", [op("GET", RP)]),
  rule("placement:resource_providers:update", ADMIN_OR_SERVICE, "Update resource provider.", [op("PUT", RP)]),
  rule("placement:resource_providers:delete", ADMIN_OR_SERVICE, "Delete resource provider.", [op("DELETE", RP)]),
  rule("placement:resource_providers:inventories:list", ADMIN_OR_SERVICE, "List resource provider inventories.", [
    op("GET", `${RP}/inventories`),
  ]),
  rule("placement:resource_providers:inventories:create", ADMIN_OR_SERVICE, "Create one resource provider inventory.", [
    op("POST", `${RP}/inventories`),
  ]),
  rule("placement:resource_providers:inventories:show", ADMIN_OR_SERVICE, "Show resource provider inventory.", [
    op("GET", `${RP}/inventories/{resource_class}`),
  ]),
  rule("placement:resource_providers:inventories:update", ADMIN_OR_SERVICE, "Update resource provider inventory.", [
    op("PUT", `${RP}/inventories`),
    op("PUT", `${RP}/inventories/{resource_class}`),
  ]),
  rule("placement:resource_providers:inventories:delete", ADMIN_OR_SERVICE, "Delete resource provider inventory.", [
    op("DELETE", `${RP}/inventories`),
    op("DELETE", `${RP}/inventories/{resource_class}`),
  ]),
  rule("placement:resource_providers:aggregates:list", ADMIN_OR_SERVICE, "List resource provider aggregates.", [
    op("GET", `${RP}/aggregates`),
  ]),
  rule("placement:resource_providers:aggregates:update", ADMIN_OR_SERVICE, "Update resource provider aggregates.", [
    op("PUT", `${RP}/aggregates`),
  ]),
  rule("placement:resource_providers:usages", ADMIN_OR_SERVICE, "List resource provider usages.", [op("GET", `${RP}/usages`)]),
  rule("placement:usages", "rule:admin_or_project_reader_or_service_api", "List total resource usages for a given project.", [
    op("GET", "/usages"),
  ]),
  rule("placement:resource_providers:traits:list", ADMIN_OR_SERVICE, "List resource provider traits.", [op("GET", `${RP}/traits`)]),
  rule("placement:resource_providers:traits:update", ADMIN_OR_SERVICE, "Update resource provider traits.", [op("PUT", `${RP}/traits`)]),
  rule("placement:resource_providers:traits:delete", ADMIN_OR_SERVICE, "Remove resource provider traits.", [op("DELETE", `${RP}/traits`)]),
  rule("placement:resource_providers:allocations:list", ADMIN_OR_SERVICE, "List resource provider allocations.", [
    op("GET", `${RP}/allocations`),
  ]),
  rule("placement:allocations:list", ADMIN_OR_SERVICE, "List allocations of a consumer.", [op("GET", "/allocations/{consumer_uuid}")]),
  rule("placement:allocations:manage", ADMIN_OR_SERVICE, "Manage allocations of several consumers.", [op("POST", "/allocations")]),
  rule("placement:allocations:update", ADMIN_OR_SERVICE, "Update allocations of a consumer.", [op("PUT", "/allocations/{consumer_uuid}")]),
  rule("placement:allocations:delete", ADMIN_OR_SERVICE, "Delete allocations of a consumer.", [
    op("DELETE", "/allocations/{consumer_uuid}"),
  ]),
  rule("placement:allocation_candidates:list", ADMIN_OR_SERVICE, "List allocation candidates.", [op("GET", "/allocation_candidates")]),
  rule("placement:resource_classes:list", ADMIN_OR_SERVICE, "List resource classes.", [op("GET", "/resource_classes")]),
  rule("placement:resource_classes:create", ADMIN_OR_SERVICE, "Create resource class.", [op("POST", "/resource_classes")]),
  rule("placement:resource_classes:show", ADMIN_OR_SERVICE, "Show resource class.", [op("GET", "/resource_classes/{name}")]),
  rule("placement:resource_classes:update", ADMIN_OR_SERVICE, "Update resource class.", [op("PUT", "/resource_classes/{name}")]),
  rule("placement:resource_classes:delete", ADMIN_OR_SERVICE, "Delete resource class.", [op("DELETE", "/resource_classes/{name}")]),
  rule("placement:traits:list", ADMIN_OR_SERVICE, "List traits.", [op("GET", "/traits")]),
  rule("placement:traits:show", ADMIN_OR_SERVICE, "Show trait.", [op("GET", "/traits/{name}")]),
  rule("placement:traits:update", ADMIN_OR_SERVICE, "Create trait.", [op("PUT", "/traits/{name}")]),
  rule("placement:traits:delete", ADMIN_OR_SERVICE, "Delete trait.", [op("DELETE", "/traits/{name}")]),
  rule("placement:reshaper:reshape", "rule:service_api", "Reshape inventory and allocations.", [op("POST", "/reshaper")]),
];
