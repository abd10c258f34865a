import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Placement, client, startPlacement } from "./helpers.js";

let p: Placement;
beforeAll(async () => {
  p = await startPlacement();
});
afterAll(async () => p.close());

describe("placement microversions", () => {
  it("serves the version document at / without a token", async () => {
    const res = await client(p.url)("GET", "/", undefined, { token: null });
    expect(res.status).toBe(200);
    expect(res.body.versions[0]).toMatchObject({
      id: "v1.0",
      min_version: "1.0",
      max_version: "1.39",
      status: "CURRENT",
      links: [{ rel: "self", href: "" }],
    });
    expect(res.headers.get("openstack-api-version")).toBe("placement 1.0");
    expect(res.headers.get("vary")).toContain("openstack-api-version");
  });

  it("answers latest with 1.39 and echoes a requested version", async () => {
    const api = client(p.url);
    expect((await api("GET", "/", undefined, { version: "latest" })).headers.get("openstack-api-version")).toBe("placement 1.39");
    expect((await api("GET", "/resource_providers", undefined, { version: "1.14" })).headers.get("openstack-api-version")).toBe(
      "placement 1.14",
    );
  });

  it("refuses versions out of range (406) and malformed ones (400)", async () => {
    const api = client(p.url);
    const low = await api("GET", "/", undefined, { version: "0.5" });
    expect(low.status).toBe(406);
    expect(low.body.errors[0].title).toBe("Not Acceptable");
    expect(low.body.errors[0].detail).toContain("Unacceptable version header: 0.5");
    expect((await api("GET", "/", undefined, { version: "1.40" })).status).toBe(406);
    const bad = await api("GET", "/", undefined, { version: "pony.horse" });
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0].detail).toContain("invalid version string: pony.horse");
  });

  it("adds error codes only from 1.23 and version headers on errors", async () => {
    const api = client(p.url);
    const old = await api("GET", "/resource_providers/8f4b5d2e-0000-4000-8000-000000000000", undefined, { version: "1.22" });
    expect(old.status).toBe(404);
    expect(old.body.errors[0].code).toBeUndefined();
    expect(old.headers.get("openstack-api-version")).toBe("placement 1.22");
    const fresh = await api("GET", "/resource_providers/8f4b5d2e-0000-4000-8000-000000000000", undefined, { version: "1.23" });
    expect(fresh.body.errors[0]).toMatchObject({ status: 404, title: "Not Found", code: "placement.undefined_code" });
    expect(fresh.body.errors[0].request_id).toMatch(/^req-/);
  });

  it("hides features before their microversion", async () => {
    const api = client(p.url);
    expect((await api("GET", "/traits", undefined, { version: "1.5" })).status).toBe(404);
    expect((await api("GET", "/traits", undefined, { version: "1.6" })).status).toBe(200);
    expect((await api("GET", "/usages?project_id=x", undefined, { version: "1.8" })).status).toBe(404);
    expect((await api("GET", "/allocation_candidates?resources=VCPU:1", undefined, { version: "1.9" })).status).toBe(404);
    const rp = await api("POST", "/resource_providers", { name: "gate" }, { version: "1.20" });
    expect(rp.status).toBe(200);
    expect((await api("DELETE", `/resource_providers/${rp.body.uuid}/inventories`, undefined, { version: "1.4" })).status).toBe(405);
  });

  it("sets last-modified and cache-control from 1.15", async () => {
    const api = client(p.url);
    expect((await api("GET", "/resource_providers", undefined, { version: "1.14" })).headers.get("cache-control")).toBeNull();
    const res = await api("GET", "/resource_providers", undefined, { version: "1.15" });
    expect(res.headers.get("cache-control")).toBe("no-cache");
    expect(res.headers.get("last-modified")).toMatch(/GMT$/);
  });

  it("requires a token, and admin (or service) for placement APIs", async () => {
    const noToken = await client(p.url)("GET", "/resource_providers", undefined, { token: null });
    expect(noToken.status).toBe(401);
    const member = await client(p.url)("GET", "/resource_providers", undefined, { token: "alice:demo", version: "1.23" });
    expect(member.status).toBe(403);
    expect(member.body.errors[0].detail).toBe("Policy does not allow placement:resource_providers:list to be performed.");
  });
});
