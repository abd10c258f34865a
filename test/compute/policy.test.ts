import { describe, expect, it } from "vitest";
import type { RequestContext } from "../../src/engine/common/context.js";
import { HttpError } from "../../src/engine/common/http/errors.js";
import { ComputePolicy } from "../../src/engine/compute/api/policies.js";

const ctx = (roles: string[], project = "p1"): RequestContext => ({ user_id: "u1", project_id: project, roles });

describe("nova policy defaults", () => {
  const policy = new ComputePolicy();
  const reader = ctx(["reader"]);
  const member = ctx(["member", "reader"]);
  const admin = ctx(["admin", "member", "reader"], "admin");

  it("lets a project reader look but not create, change or delete servers", () => {
    expect(policy.allows(reader, "os_compute_api:servers:show", { project_id: "p1" })).toBe(true);
    expect(policy.allows(reader, "os_compute_api:servers:detail", { project_id: "p1" })).toBe(true);
    for (const rule of ["os_compute_api:servers:create", "os_compute_api:servers:delete", "os_compute_api:servers:stop"])
      expect(policy.allows(reader, rule, { project_id: "p1" })).toBe(false);
    let err: unknown;
    try {
      policy.authorize(reader, "os_compute_api:servers:create", { project_id: "p1" });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(HttpError);
    expect((err as HttpError).status).toBe(403);
    expect((err as HttpError).message).toBe("Policy doesn't allow os_compute_api:servers:create to be performed.");
  });

  it("lets a member act only on its own project's servers", () => {
    expect(policy.allows(member, "os_compute_api:servers:create", { project_id: "p1" })).toBe(true);
    expect(policy.allows(member, "os_compute_api:servers:stop", { project_id: "p2" })).toBe(false);
  });

  it("keeps flavors, services and hypervisors to admins", () => {
    for (const rule of [
      "os_compute_api:os-flavor-manage:create",
      "os_compute_api:os-services:list",
      "os_compute_api:os-hypervisors:list",
    ]) {
      expect(policy.allows(member, rule)).toBe(false);
      expect(policy.allows(admin, rule)).toBe(true);
    }
  });

  it("honours an operator override", () => {
    const loose = new ComputePolicy(undefined, { "os_compute_api:servers:create": "role:reader" });
    expect(loose.allows(reader, "os_compute_api:servers:create", { project_id: "p1" })).toBe(true);
  });
});
