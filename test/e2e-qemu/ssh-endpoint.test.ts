// The path `os server ssh` takes to the guest's forwarded port, without a cloud: the compute manager's
// get_ssh_endpoint over the driver, and the API route's answers and refusals.
import { describe, expect, it } from "vitest";
import { Router } from "../../src/engine/common/http/router.js";
import type { HttpRequest } from "../../src/engine/common/http/types.js";
import { RemoteError } from "../../src/engine/common/rpc/index.js";
import type { ComputeAPI } from "../../src/engine/compute/api/compute-api.js";
import type { NovaApi } from "../../src/engine/compute/api/nova-api.js";
import { addSshEndpointRoute } from "../../src/engine/compute/api/ssh-endpoint.js";
import type { ManagerDeps } from "../../src/engine/compute/manager/deps.js";
import { ComputeManager } from "../../src/engine/compute/manager/manager.js";
import { ConsoleTypeUnavailable } from "../../src/hypervisor/driver.js";
import { makeInstance } from "../hypervisor/qemu/helpers.js";

const ctx = { request_id: "req-1", user_id: "u1", project_id: "p1", roles: ["member"] } as never;
const uuid = "6c549df7-0000-4000-8000-000000000001";

describe("ComputeManager.get_ssh_endpoint", () => {
  it("answers the driver's forwarded port", async () => {
    const driver = { get_ssh_endpoint: (i: { uuid: string }) => ({ host: "127.0.0.1", port: i.uuid === uuid ? 2222 : 0 }) };
    const m = new ComputeManager({ driver } as unknown as ManagerDeps);
    expect(await m.get_ssh_endpoint(ctx, { instance: makeInstance({ uuid }) })).toEqual({ host: "127.0.0.1", port: 2222 });
  });

  it("a driver without real guests (fake) has no ssh port: ConsoleTypeUnavailable", async () => {
    const m = new ComputeManager({ driver: { name: "fake" } } as unknown as ManagerDeps);
    await expect(m.get_ssh_endpoint(ctx, { instance: makeInstance({ uuid }) })).rejects.toBeInstanceOf(ConsoleTypeUnavailable);
  });
});

describe("GET /servers/{id}/os-ssh-endpoint", () => {
  function app(vmState: string, reply: () => Promise<unknown>) {
    const instance = { uuid, vm_state: vmState, host: "compute1", project_id: "p1", user_id: "u1" };
    const api = {
      ctx: () => ctx,
      findServer: () => ({ instance, cell: {}, db: {}, tags: [] }),
      policy: { authorize: () => undefined },
    } as unknown as NovaApi;
    const calls: string[] = [];
    const compute = {
      callHost: async (_c: unknown, _s: unknown, method: string) => {
        calls.push(method);
        return reply();
      },
    } as unknown as ComputeAPI;
    const r = new Router("nova");
    addSshEndpointRoute(r, api, compute);
    const handle = r.app();
    const get = async (id: string) => {
      const res = await handle({
        method: "GET",
        path: `/servers/${id}/os-ssh-endpoint`,
        environ: {},
        params: {},
      } as unknown as HttpRequest);
      return { status: res.status, body: JSON.parse(String(res.body)) };
    };
    return { get, calls };
  }

  it("returns host and port from the instance's compute", async () => {
    const a = app("active", async () => ({ host: "127.0.0.1", port: 40022 }));
    expect(await a.get(uuid)).toEqual({ status: 200, body: { ssh_endpoint: { host: "127.0.0.1", port: 40022 } } });
    expect(a.calls).toEqual(["get_ssh_endpoint"]);
  });

  it("refuses a server that is not active with 409, without asking the compute", async () => {
    const a = app("stopped", async () => ({ host: "127.0.0.1", port: 1 }));
    const r = await a.get(uuid);
    expect(r.status).toBe(409);
    expect(r.body.conflictingRequest.message).toMatch(/vm_state stopped/);
    expect(a.calls).toEqual([]);
  });

  it("a compute with the fake driver answers 400 naming the reason", async () => {
    const a = app("active", async () => {
      throw new RemoteError({ exc_type: "ConsoleTypeUnavailable", message: "Unavailable console type ssh." });
    });
    const r = await a.get(uuid);
    expect(r.status).toBe(400);
    expect(r.body.badRequest.message).toMatch(/forwards no ssh port/);
  });

  it("a guest the hypervisor does not run answers 409", async () => {
    const a = app("active", async () => {
      throw new RemoteError({ exc_type: "InstanceNotRunning", message: `Instance ${uuid} is not running.` });
    });
    expect((await a.get(uuid)).status).toBe(409);
  });
});
