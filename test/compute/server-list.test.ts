import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { createService } from "../../src/engine/compute/objects/services.js";
import { createFault, saveInstance } from "../../src/engine/compute/objects/instance.js";
import { createBuildRequest } from "../../src/engine/compute/objects/build-requests.js";
import { type InProcessNova, startInProcessNova, uuidOf } from "./in-process-api.js";

// GET /servers and /servers/detail over rows put straight into the cell databases: what a user sees of
// filters, sort keys, markers and pages, and that a detail list (whose rendered servers are kept between
// requests) always shows exactly what GET /servers/{id} shows, also right after a change.

const ADMIN = "admin:admin";
const USER = "u1:p1";
let nova: InProcessNova;

beforeAll(async () => {
  nova = await startInProcessNova(["api.max_limit=50"]);
  createService(nova.cell1Db, { host: "compute1", binary: "nova-compute" });
  createService(nova.cell1Db, { host: "compute2", binary: "nova-compute" });
  nova.cell1Db.prepare("UPDATE services SET disabled = 1 WHERE host = 'compute2'").run();
  const states = [
    ["active", null],
    ["stopped", null],
    ["error", null],
    ["building", "spawning"],
    ["paused", null],
  ] as const;
  for (let n = 1; n <= 12; n++) {
    const [vm_state, task_state] = states[n % states.length] as (typeof states)[number];
    nova.addInstance({
      uuid: uuidOf(n),
      display_name: n === 7 ? null : `web-${n % 3}-${n}`,
      vm_state,
      task_state,
      host: n % 2 ? "compute1" : "compute2",
      node: n % 2 ? "compute1" : "compute2",
      image_ref: n % 4 ? "img-1" : "img-2",
      metadata: n % 3 ? {} : { role: `r${n}` },
      locked: n === 6,
      locked_by: n === 6 ? "owner" : null,
      system_metadata: n === 6 ? { locked_reason: "maintenance" } : {},
      created_at: `2026-01-01T00:00:${String(n).padStart(2, "0")}.000000`,
    });
    if (vm_state === "error") createFault(nova.cell1Db, { uuid: uuidOf(n), code: 500, message: `boom ${n}`, details: "Traceback" });
    if (n % 4 === 1)
      for (const t of ["blue", n === 1 ? "green" : "red"])
        nova.cell1Db.prepare("INSERT INTO tags (resource_id, tag) VALUES (?, ?)").run(uuidOf(n), t);
  }
  // One NoValidHost casualty in cell0 and one server still a build request.
  nova.addInstance(
    { uuid: uuidOf(13), display_name: "nohost", vm_state: "error", host: null, node: null, created_at: "2026-01-01T00:00:13.000000" },
    "cell0",
  );
  createFault(nova.cell0Db, { uuid: uuidOf(13), code: 500, message: "No valid host was found.", details: "" });
  const br = {
    ...nova.addInstance({ uuid: uuidOf(99) }),
    id: null,
    uuid: uuidOf(14),
    display_name: "queued",
    vm_state: "building",
    task_state: "scheduling",
    host: null,
    node: null,
    image_ref: "img-2",
    created_at: "2026-01-01T00:00:14.000000",
  };
  nova.cell1Db.prepare("DELETE FROM instances WHERE uuid = ?").run(uuidOf(99));
  nova.api.apiDb.prepare("DELETE FROM instance_mappings WHERE instance_uuid = ?").run(uuidOf(99));
  createBuildRequest(nova.api.apiDb, br, ["blue"]);
  nova.api.apiDb
    .prepare("INSERT INTO instance_mappings (instance_uuid, cell_id, project_id, user_id, created_at) VALUES (?, NULL, 'p1', 'u1', ?)")
    .run(uuidOf(14), br.created_at);
}, 30_000);

afterAll(async () => {
  await nova?.close();
});

const ids = (body: any): number[] => body.servers.map((s: { id: string }) => Number(s.id.slice(-12)));

/** Each entry of a detail list is GET /servers/{id} of that server (server_groups is show-only), key order included. */
async function expectDetailEqualsShow(token: string, microversion: string, query = ""): Promise<void> {
  const list = await nova.req(token, "GET", `/servers/detail${query}`, undefined, microversion);
  expect(list.status).toBe(200);
  expect(list.body.servers.length).toBeGreaterThan(0);
  for (const s of list.body.servers) {
    const show = await nova.req(token, "GET", `/servers/${s.id}`, undefined, microversion);
    expect(show.status).toBe(200);
    delete show.body.server.server_groups;
    expect(JSON.stringify(s), `${token} ${microversion} ${s.id}`).toBe(JSON.stringify(show.body.server));
  }
}

describe("GET /servers/detail shows what GET /servers/{id} shows", () => {
  it.each([
    [ADMIN, "2.1"],
    [ADMIN, "2.47"],
    [ADMIN, "2.79"],
    [USER, "2.1"],
    [USER, "2.79"],
  ])("as %s at %s, the first time and from what was kept", async (token, mv) => {
    // The admin's own project has no servers: it looks at everyone's.
    const query = token === ADMIN ? "?all_tenants=1" : "";
    await expectDetailEqualsShow(token, mv, query);
    const first = await nova.req(token, "GET", `/servers/detail${query}`, undefined, mv);
    const again = await nova.req(token, "GET", `/servers/detail${query}`, undefined, mv);
    expect(again.text).toBe(first.text);
  });

  it("host_status is fresh for an admin (2.16+) and comes before a fault", async () => {
    const list = await nova.req(ADMIN, "GET", "/servers/detail?all_tenants=1", undefined, "2.79");
    const byId = new Map<number, any>(list.body.servers.map((s: any) => [Number(s.id.slice(-12)), s]));
    expect(byId.get(1).host_status).toBe("UP");
    expect(byId.get(4).host_status).toBe("MAINTENANCE");
    expect(byId.get(14).host_status).toBe("");
    expect(byId.get(2).fault.message).toBe("boom 2");
    expect(Object.keys(byId.get(2)).slice(-2)).toEqual(["host_status", "fault"]);
    // The service stops heartbeating: nothing in the instances changed, host_status must anyway.
    nova.cell1Db
      .prepare(
        "UPDATE services SET updated_at = '2000-01-01T00:00:00.000000', last_seen_up = '2000-01-01T00:00:00.000000' WHERE host = 'compute1'",
      )
      .run();
    const later = await nova.req(ADMIN, "GET", "/servers/detail?all_tenants=1", undefined, "2.79");
    expect(later.body.servers.find((s: any) => s.id === uuidOf(1)).host_status).toBe("UNKNOWN");
    nova.cell1Db
      .prepare("UPDATE services SET updated_at = ?, last_seen_up = ? WHERE host = 'compute1'")
      .run(new Date().toISOString().replace("Z", "000"), new Date().toISOString().replace("Z", "000"));
  });

  it("a change shows at once, even two saves within one millisecond, tags and metadata too", async () => {
    await nova.req(USER, "GET", "/servers/detail", undefined, "2.79");
    const uuid = uuidOf(1);
    saveInstance(nova.cell1Db, uuid, { task_state: "powering-off" });
    saveInstance(nova.cell1Db, uuid, { vm_state: "stopped", task_state: null, power_state: 4, metadata: { after: "stop" } });
    nova.cell1Db.prepare("INSERT INTO tags (resource_id, tag) VALUES (?, 'purple')").run(uuid);
    const list = await nova.req(USER, "GET", "/servers/detail", undefined, "2.79");
    const s = list.body.servers.find((x: any) => x.id === uuid);
    expect(s.status).toBe("SHUTOFF");
    expect(s["OS-EXT-STS:power_state"]).toBe(4);
    expect(s.metadata).toEqual({ after: "stop" });
    expect(s.tags).toEqual(["blue", "green", "purple"]);
    await expectDetailEqualsShow(USER, "2.79");
    saveInstance(nova.cell1Db, uuid, { vm_state: "active", power_state: 1, metadata: {} });
    nova.cell1Db.prepare("DELETE FROM tags WHERE resource_id = ? AND tag = 'purple'").run(uuid);
  });

  it("a save in the same millisecond as the one a list already showed still shows (updated_at always moves)", async () => {
    const uuid = uuidOf(3);
    vi.useFakeTimers({ toFake: ["Date"] });
    try {
      vi.setSystemTime(new Date("2030-05-05T05:05:05.005Z"));
      saveInstance(nova.cell1Db, uuid, { progress: 10 });
      const before = await nova.req(USER, "GET", "/servers/detail", undefined, "2.79");
      expect(before.body.servers.find((x: any) => x.id === uuid).progress).toBe(10);
      // The clock has not moved: the same vm_state, task_state and millisecond, another progress.
      saveInstance(nova.cell1Db, uuid, { progress: 60 });
      const after = await nova.req(USER, "GET", "/servers/detail", undefined, "2.79");
      expect(after.body.servers.find((x: any) => x.id === uuid).progress).toBe(60);
    } finally {
      vi.useRealTimers();
    }
  });
});

describe("a fault written after the state", () => {
  it("shows in the next list (ERROR servers are never served from what was kept)", async () => {
    const uuid = uuidOf(11);
    saveInstance(nova.cell1Db, uuid, { vm_state: "error", task_state: null });
    const first = await nova.req(USER, "GET", "/servers/detail", undefined, "2.79");
    expect(first.body.servers.find((x: any) => x.id === uuid).fault).toBeUndefined();
    createFault(nova.cell1Db, { uuid, code: 500, message: "late fault", details: "" });
    const second = await nova.req(USER, "GET", "/servers/detail", undefined, "2.79");
    expect(second.body.servers.find((x: any) => x.id === uuid).fault.message).toBe("late fault");
    await expectDetailEqualsShow(USER, "2.79");
    saveInstance(nova.cell1Db, uuid, { vm_state: "active" });
  });
});

describe("filters, sort keys and pages", () => {
  it("lists the project's servers newest first, build requests and cell0 included", async () => {
    const r = await nova.req(USER, "GET", "/servers");
    expect(r.status).toBe(200);
    expect(ids(r.body)).toEqual([14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1]);
    expect(r.body.servers_links).toBeUndefined();
  });

  it.each([
    ["?name=^web-1", [10, 4, 1]],
    ["?name=web-[02]-1", [12, 11]],
    ["?status=ERROR", [13, 12, 7, 2]],
    ["?status=BUILD", [14, 8, 3]],
    ["?image=img-2", [14, 12, 8, 4]],
    // Only an admin may filter by host: a user's host filter is dropped, as Nova does.
    ["?host=compute2", [14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1]],
    ["?tags=blue", [14, 9, 5, 1]],
    ["?tags=blue,red", [9, 5]],
    ["?tags-any=green,red", [9, 5, 1]],
    ["?not-tags=blue,red", [14, 13, 12, 11, 10, 8, 7, 6, 4, 3, 2, 1]],
    ["?not-tags-any=blue", [13, 12, 11, 10, 8, 7, 6, 4, 3, 2]],
  ])("%s", async (query, expected) => {
    const r = await nova.req(USER, "GET", `/servers${query}`, undefined, "2.79");
    expect(r.status, r.text).toBe(200);
    expect(ids(r.body)).toEqual(expected);
  });

  it("an admin's host filter and locked (2.73+)", async () => {
    expect(ids((await nova.req(ADMIN, "GET", "/servers?all_tenants=1&host=compute2", undefined, "2.79")).body)).toEqual([
      12, 10, 8, 6, 4, 2,
    ]);
    expect(ids((await nova.req(USER, "GET", "/servers?locked=true", undefined, "2.79")).body)).toEqual([6]);
  });

  it("sorts by a key, then created_at and id in the first direction, as Nova's database layer", async () => {
    const r = await nova.req(USER, "GET", "/servers?sort_key=display_name&sort_dir=asc");
    // A NULL name sorts as '' first; ties between names are broken by created_at.
    expect(ids(r.body)).toEqual([7, 13, 14, 12, 3, 6, 9, 1, 10, 4, 11, 2, 5, 8]);
    const two = await nova.req(USER, "GET", "/servers?sort_key=image_ref&sort_dir=desc&sort_key=created_at&sort_dir=asc");
    expect(ids(two.body)).toEqual([4, 8, 12, 14, 1, 2, 3, 5, 6, 7, 9, 10, 11, 13]);
  });

  it("walks every page through the next links, in the same order as one full list", async () => {
    const full = ids((await nova.req(USER, "GET", "/servers?sort_key=display_name&sort_dir=asc")).body);
    const seen: number[] = [];
    let path: string | undefined = "/servers?sort_key=display_name&sort_dir=asc&limit=4";
    let pages = 0;
    while (path) {
      const r = await nova.req(USER, "GET", path);
      expect(r.status).toBe(200);
      seen.push(...ids(r.body));
      const next = r.body.servers_links?.[0]?.href as string | undefined;
      path = next ? next.slice(next.indexOf("/v2.1") + 5) : undefined;
      pages++;
    }
    expect(seen).toEqual(full);
    expect(pages).toBe(4);
  });

  it("a marker may be a server the filters leave out, or a build request", async () => {
    expect(ids((await nova.req(USER, "GET", `/servers?marker=${uuidOf(14)}&limit=2`)).body)).toEqual([13, 12]);
    expect(ids((await nova.req(USER, "GET", `/servers?status=ERROR&marker=${uuidOf(5)}`)).body)).toEqual([2]);
  });

  it.each([
    ["/servers?marker=nope", 400, "marker [nope] not found"],
    ["/servers?limit=x", 400, "limit param must be an integer"],
    ["/servers?sort_key=bogus", 400, "Invalid input for query parameters sort_key. Value: bogus. 'bogus' is not one of ['access_ip_v4'"],
    ["/servers?sort_dir=sideways", 400, "Invalid input received: Unknown sort direction, must be 'desc' or 'asc'"],
    ["/servers?sort_key=uuid&sort_dir=asc&sort_dir=desc", 400, "Invalid input received: Sort direction size exceeds sort key size"],
    ["/servers?sort_key=host", 403, "Only administrators can sort servers by host"],
    ["/servers?name=(", 400, "Invalid regular expression for name: ("],
  ])("%s → %d", async (path, status, message) => {
    const r = await nova.req(USER, "GET", path);
    expect(r.status, r.text).toBe(status);
    const fault = Object.values(r.body as Record<string, { message: string }>)[0];
    expect(fault?.message).toContain(message);
  });

  it("odd query values are answered, never with a 500", async () => {
    const odd = ["", " ", "%00", "'", "' OR 1=1 --", "💥", "\\", "(?<", "a".repeat(300), "-1", "1e3", "null", "[]"];
    const params = [
      "sort_key",
      "sort_dir",
      "marker",
      "name",
      "limit",
      "tags",
      "tags-any",
      "not-tags",
      "changes-since",
      "status",
      "flavor",
      "image",
      "locked",
      "host",
    ];
    for (const p of params)
      for (const v of odd)
        for (const token of [USER, ADMIN]) {
          const r = await nova.req(
            token,
            "GET",
            `/servers/detail?all_tenants=${token === ADMIN ? 1 : 0}&${p}=${encodeURIComponent(v)}`,
            undefined,
            "2.79",
          );
          expect(r.status, `${token} ${p}=${v}: ${r.text.slice(0, 200)}`).toBeLessThan(500);
        }
  });

  it("sort keys Nova ignores are ignored before 2.75 and refused from 2.75", async () => {
    const before = await nova.req(USER, "GET", "/servers?sort_key=vcpus", undefined, "2.74");
    expect(before.status).toBe(200);
    expect(ids(before.body)[0]).toBe(14);
    expect((await nova.req(USER, "GET", "/servers?sort_key=vcpus", undefined, "2.75")).status).toBe(400);
  });
});
