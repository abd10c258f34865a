import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type InProcessNova, startInProcessNova, uuidOf } from "./in-process-api.js";

// POST /servers/{id}/action {"os-resetState": {"state": …}}: an admin forces vm_state and clears
// task_state (nothing goes to the host), 202 with no body, recorded as a finished resetState action.

const ADMIN = "admin:admin";
const OWNER = "u1:p1";
let nova: InProcessNova;

beforeAll(async () => {
  nova = await startInProcessNova();
  // Stuck mid-reboot; and a NoValidHost casualty in cell0 (no host at all).
  nova.addInstance({ uuid: uuidOf(1), vm_state: "active", task_state: "rebooting" });
  nova.addInstance({ uuid: uuidOf(2), vm_state: "error", host: null, node: null }, "cell0");
});

afterAll(async () => {
  await nova?.close();
});

const show = async (n: number) => (await nova.req(ADMIN, "GET", `/servers/${uuidOf(n)}`, undefined, "2.79")).body.server;
const reset = (token: string, n: number, body: unknown) => nova.req(token, "POST", `/servers/${uuidOf(n)}/action`, body);

describe("os-resetState", () => {
  it("error: vm_state error, task_state cleared, status ERROR; then active again", async () => {
    expect((await show(1)).status).toBe("REBOOT");
    const r = await reset(ADMIN, 1, { "os-resetState": { state: "error" } });
    expect(r.status, r.text).toBe(202);
    expect(r.text).toBe("");
    let s = await show(1);
    expect(s.status).toBe("ERROR");
    expect(s["OS-EXT-STS:vm_state"]).toBe("error");
    expect(s["OS-EXT-STS:task_state"]).toBeNull();
    // The list (whose rendered servers are kept) shows it too.
    const list = await nova.req(ADMIN, "GET", "/servers/detail?all_tenants=1", undefined, "2.79");
    expect(list.body.servers.find((x: any) => x.id === uuidOf(1)).status).toBe("ERROR");

    expect((await reset(ADMIN, 1, { "os-resetState": { state: "active" } })).status).toBe(202);
    s = await show(1);
    expect(s.status).toBe("ACTIVE");
    expect(s["OS-EXT-STS:vm_state"]).toBe("active");
  });

  it("is recorded as a finished resetState instance action by the admin", async () => {
    const r = await nova.req(ADMIN, "GET", `/servers/${uuidOf(1)}/os-instance-actions`, undefined, "2.79");
    expect(r.status).toBe(200);
    const resets = r.body.instanceActions.filter((a: any) => a.action === "resetState");
    expect(resets).toHaveLength(2);
    expect(resets[0].user_id).toBe("admin");
    const one = await nova.req(ADMIN, "GET", `/servers/${uuidOf(1)}/os-instance-actions/${resets[0].request_id}`, undefined, "2.79");
    expect(one.status).toBe(200);
    expect(one.body.instanceAction.action).toBe("resetState");
  });

  it("works on a server that never got a host (cell0)", async () => {
    expect((await reset(ADMIN, 2, { "os-resetState": { state: "active" } })).status).toBe(202);
    expect((await show(2)).status).toBe("ACTIVE");
  });

  it("is admin-only by default: the owner gets 403 and nothing changes", async () => {
    const r = await reset(OWNER, 1, { "os-resetState": { state: "error" } });
    expect(r.status).toBe(403);
    expect(r.body.forbidden.message).toContain("os_compute_api:os-admin-actions:reset_state");
    expect((await show(1)).status).toBe("ACTIVE");
  });

  it.each([
    [{ "os-resetState": { state: "deleted" } }],
    [{ "os-resetState": {} }],
    [{ "os-resetState": { state: "error", extra: 1 } }],
    [{ "os-resetState": null }],
  ])("refuses %j with 400", async (body) => {
    const r = await reset(ADMIN, 1, body);
    expect(r.status, r.text).toBe(400);
    expect(r.body.badRequest.message).toMatch(/Invalid input for field\/attribute/);
  });

  it("404 for a server that does not exist", async () => {
    expect((await reset(ADMIN, 77, { "os-resetState": { state: "error" } })).status).toBe(404);
  });
});
