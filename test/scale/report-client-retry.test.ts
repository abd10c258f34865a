import { describe, expect, it } from "vitest";
import { ReportClient } from "../../src/engine/compute/manager/report-client.js";
import type { ServiceHttp } from "../../src/engine/compute/manager/service-http.js";

// Deleting 1,000 servers under load left allocations behind when a keep-alive connection to Placement
// was reset under a DELETE: the compute now retries an idempotent request whose connection failed.

function flakyHttp(failures: number, reply: { status: number; body?: unknown }) {
  const calls: string[] = [];
  let left = failures;
  const http = {
    async request(method: string, path: string) {
      calls.push(`${method} ${path}`);
      if (left-- > 0) throw new Error(`Unable to establish connection to http://127.0.0.1:1${path}: ECONNRESET`);
      return reply;
    },
  } as unknown as ServiceHttp;
  return { http, calls };
}

describe("report client connection retries", () => {
  it("a DELETE of allocations whose connection was reset is sent again and succeeds", async () => {
    const { http, calls } = flakyHttp(2, { status: 204 });
    expect(await new ReportClient(http).deleteAllocationForInstance("c1")).toBe(true);
    expect(calls).toEqual(["DELETE /allocations/c1", "DELETE /allocations/c1", "DELETE /allocations/c1"]);
  });

  it("gives up after 3 retries with the connection error", async () => {
    const { http, calls } = flakyHttp(10, { status: 204 });
    await expect(new ReportClient(http).deleteAllocationForInstance("c2")).rejects.toThrow(/ECONNRESET/);
    expect(calls).toHaveLength(4);
  });

  it("does not resend a POST (creating a provider twice is not harmless)", async () => {
    const calls: string[] = [];
    const http = {
      async request(method: string, path: string) {
        calls.push(`${method} ${path}`);
        if (method === "POST") throw new Error("Unable to establish connection: ECONNRESET");
        return { status: 404, body: { errors: [{ title: "Not Found" }] } };
      },
    } as unknown as ServiceHttp;
    await expect(new ReportClient(http).ensureResourceProvider("u1", "n1")).rejects.toThrow(/ECONNRESET/);
    expect(calls).toEqual(["GET /resource_providers/u1", "POST /resource_providers"]);
  });
});
