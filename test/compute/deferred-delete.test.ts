import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type InProcessNova, startInProcessNova, uuidOf } from "./in-process-api.js";

// forceDelete and restore (deferred_delete): with no soft delete in pocketstack, forceDelete deletes at
// once (lock and task_state checked as Nova does) and restore always finds the server not SOFT_DELETED.

let nova: InProcessNova;

beforeAll(async () => {
  // Placement is not running here: the local delete logs that it could not drop the allocations.
  nova = await startInProcessNova(["api.placement_port=9", "DEFAULT.rpc_response_timeout=2"]);
  nova.addInstance({ uuid: uuidOf(1) });
  nova.addInstance({ uuid: uuidOf(2), locked: true, locked_by: "admin" });
  nova.addInstance({ uuid: uuidOf(3), task_state: "rebooting" });
});

afterAll(async () => {
  await nova?.close();
});

const act = (n: number, body: unknown) => nova.req("u1:p1", "POST", `/servers/${uuidOf(n)}/action`, body);

describe("deferred delete actions", () => {
  it("restore: 409, the server is not soft-deleted", async () => {
    const r = await act(1, { restore: null });
    expect(r.status).toBe(409);
    expect(r.body.conflictingRequest.message).toBe(`Cannot 'restore' instance ${uuidOf(1)} while it is in vm_state active`);
  });

  it("forceDelete refuses a server locked by an admin and one in a task", async () => {
    expect((await act(2, { forceDelete: null })).status).toBe(409);
    const busy = await act(3, { forceDelete: null });
    expect(busy.status).toBe(409);
    expect(busy.body.conflictingRequest.message).toBe(`Cannot 'forceDelete' instance ${uuidOf(3)} while it is in task_state rebooting`);
  });

  it("forceDelete deletes: 202, then the server is gone", async () => {
    const r = await act(1, { forceDelete: null });
    expect(r.status, r.text).toBe(202);
    expect((await nova.req("u1:p1", "GET", `/servers/${uuidOf(1)}`)).status).toBe(404);
    const list = await nova.req("u1:p1", "GET", "/servers");
    expect(list.body.servers.map((s: { id: string }) => s.id)).not.toContain(uuidOf(1));
  });
});
