import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Glance, client, startGlance } from "./helpers.js";

let g: Glance;
beforeAll(async () => {
  g = await startGlance();
});
afterAll(() => g.close());

const ids = (r: { json: { images: Array<{ id: string }> } }) => r.json.images.map((i) => i.id);

describe("visibility policy", () => {
  it("only admins publicize (publicize_image); owners may communitize; everyone sees public images", async () => {
    const owner = client(g.base, "alice:pa");
    const denied = await owner.post("/v2/images", { name: "pub", visibility: "public" });
    expect(denied.status).toBe(403);
    expect(denied.text).toContain("You are not authorized to complete publicize_image action.");
    const img = await owner.create({ name: "later-public" });
    const patchDenied = await owner.patch(`/v2/images/${img.id}`, [{ op: "replace", path: "/visibility", value: "public" }]);
    expect(patchDenied.status).toBe(403);

    const admin = client(g.base, "admin:admin");
    const pub = await admin.create({ name: "public-by-admin", visibility: "public" });
    const stranger = client(g.base, "bob:pb");
    expect((await stranger.get(`/v2/images/${pub.id}`)).status).toBe(200);
    expect(ids(await stranger.get("/v2/images"))).toContain(pub.id);
    // Others may read a public image but not change or delete it.
    expect((await stranger.patch(`/v2/images/${pub.id}`, [{ op: "replace", path: "/name", value: "mine" }])).status).toBe(403);
    expect((await stranger.del(`/v2/images/${pub.id}`)).status).toBe(403);

    const comm = await owner.create({ name: "community", visibility: "community" });
    // Community images are visible to all but listed only when asked for (or to their owner).
    expect((await stranger.get(`/v2/images/${comm.id}`)).status).toBe(200);
    expect(ids(await stranger.get("/v2/images"))).not.toContain(comm.id);
    expect(ids(await stranger.get("/v2/images?visibility=community"))).toContain(comm.id);
    expect(ids(await owner.get("/v2/images"))).toContain(comm.id);
  });

  it("keeps private images to their project", async () => {
    const owner = client(g.base, "alice:pa");
    const priv = await owner.create({ name: "private", visibility: "private" });
    const stranger = client(g.base, "bob:pb");
    expect((await stranger.get(`/v2/images/${priv.id}`)).status).toBe(404);
    expect(ids(await stranger.get("/v2/images"))).not.toContain(priv.id);
    expect(ids(await owner.get("/v2/images"))).toContain(priv.id);
    expect(ids(await client(g.base, "admin:admin").get("/v2/images"))).toContain(priv.id);
  });

  it("hides os_hidden images from the default list", async () => {
    const owner = client(g.base, "alice:pa");
    const hidden = await owner.create({ name: "hidden", os_hidden: true });
    expect(ids(await owner.get("/v2/images"))).not.toContain(hidden.id);
    expect(ids(await owner.get("/v2/images?os_hidden=true"))).toContain(hidden.id);
  });
});

describe("members", () => {
  it("shares only shared images, and a member accepts before the image is listed", async () => {
    const owner = client(g.base, "alice:pa");
    const member = client(g.base, "carol:pc");
    const priv = await owner.create({ name: "not-shareable", visibility: "private" });
    const refused = await owner.post(`/v2/images/${priv.id}/members`, { member: "pc" });
    expect(refused.status).toBe(403);
    expect(refused.text).toContain("Only shared images have members.");

    const img = await owner.create({ name: "shared-with-carol" });
    expect((await member.get(`/v2/images/${img.id}`)).status).toBe(404);
    const added = await owner.post(`/v2/images/${img.id}/members`, { member: "pc" });
    expect(added.status).toBe(200);
    expect(added.json).toMatchObject({ image_id: img.id, member_id: "pc", status: "pending", schema: "/v2/schemas/member" });
    expect((await owner.post(`/v2/images/${img.id}/members`, { member: "pc" })).status).toBe(409);
    expect((await owner.post(`/v2/images/${img.id}/members`, {})).status).toBe(400);

    // Pending: visible by id, not in the default list (member_status=accepted), listed when asked.
    expect((await member.get(`/v2/images/${img.id}`)).status).toBe(200);
    expect(ids(await member.get("/v2/images"))).not.toContain(img.id);
    expect(ids(await member.get("/v2/images?member_status=pending"))).toContain(img.id);
    expect(ids(await member.get("/v2/images?member_status=all"))).toContain(img.id);

    // The owner cannot answer for the member; the member can.
    const ownerAccepts = await owner.put(`/v2/images/${img.id}/members/pc`, { status: "accepted" });
    expect(ownerAccepts.status).toBe(403);
    const badStatus = await member.put(`/v2/images/${img.id}/members/pc`, { status: "maybe" });
    expect(badStatus.status).toBe(400);
    const accepted = await member.put(`/v2/images/${img.id}/members/pc`, { status: "accepted" });
    expect(accepted.status).toBe(200);
    expect(accepted.json.status).toBe("accepted");
    expect(ids(await member.get("/v2/images"))).toContain(img.id);

    // The owner sees the member list; an outsider does not see the image at all.
    const list = await owner.get(`/v2/images/${img.id}/members`);
    expect(list.json.members.map((m: { member_id: string; status: string }) => [m.member_id, m.status])).toEqual([["pc", "accepted"]]);
    expect((await client(g.base, "dave:pd").get(`/v2/images/${img.id}/members`)).status).toBe(404);

    // Rejected: gone from the member's list again; removed: not visible at all.
    expect((await member.put(`/v2/images/${img.id}/members/pc`, { status: "rejected" })).status).toBe(200);
    expect(ids(await member.get("/v2/images"))).not.toContain(img.id);
    expect((await owner.del(`/v2/images/${img.id}/members/pc`)).status).toBe(204);
    expect((await member.get(`/v2/images/${img.id}`)).status).toBe(404);
    expect((await owner.del(`/v2/images/${img.id}/members/pc`)).status).toBe(404);
  });
});
