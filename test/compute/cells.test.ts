import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/engine/common/config/config.js";
import { CELL0_UUID, CellMappings } from "../../src/engine/compute/cells/mappings.js";
import { novaFirstStart } from "../../src/engine/compute/db/first-start.js";
import { closeAllDbs, openApiDb } from "../../src/engine/compute/db/open.js";
import { listFlavors } from "../../src/engine/compute/objects/flavors.js";
import { upsertComputeNode } from "../../src/engine/compute/objects/services.js";

const dirs: string[] = [];
afterEach(() => {
  closeAllDbs();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe("cells v2 and first start", () => {
  it("maps cell0 and cell1 and creates DevStack's flavors once", () => {
    const dir = mkdtempSync(join(tmpdir(), "nova-cells-"));
    dirs.push(dir);
    const config = loadConfig(undefined, ["DEFAULT.transport_url=zmq://127.0.0.1:5999"]);
    const first = novaFirstStart(dir, config);
    expect(first).toMatchObject({ cell0Created: true, cell1Created: true });
    expect(first.flavorsCreated).toEqual(["m1.tiny", "m1.small", "m1.medium", "m1.large", "m1.xlarge", "cirros256"]);
    const api = openApiDb(dir);
    const tiny = listFlavors(api).find((f) => f.name === "m1.tiny");
    expect(tiny).toMatchObject({ flavorid: "1", vcpus: 1, memory_mb: 512, root_gb: 1, is_public: true });
    // A deleted default flavor stays deleted on the next start.
    api.prepare("DELETE FROM flavors WHERE name = 'm1.xlarge'").run();
    const second = novaFirstStart(dir, loadConfig(undefined, ["DEFAULT.transport_url=zmq://127.0.0.1:6000"]));
    expect(second).toEqual({ cell0Created: false, cell1Created: false, flavorsCreated: [] });
    const cells = new CellMappings(api, dir);
    expect(cells.list().map((c) => [c.name, c.transport_url])).toEqual([
      ["cell0", "none:///"],
      ["cell1", "zmq://127.0.0.1:6000"],
    ]);
    expect(cells.cell0().uuid).toBe(CELL0_UUID);
  });

  it("discover_hosts maps each new compute node to its cell exactly once", () => {
    const dir = mkdtempSync(join(tmpdir(), "nova-cells-"));
    dirs.push(dir);
    novaFirstStart(dir, loadConfig());
    const cells = new CellMappings(openApiDb(dir), dir);
    const cell1 = cells.byName("cell1");
    if (!cell1) throw new Error("cell1 missing");
    upsertComputeNode(cells.db(cell1), "compute1", "compute1", { vcpus: 8, memory_mb: 16384, local_gb: 200 });
    expect(cells.cellForHost("compute1")).toBeUndefined();
    expect(cells.discoverHosts().map((m) => m.host)).toEqual(["compute1"]);
    expect(cells.discoverHosts()).toEqual([]);
    expect(cells.cellForHost("compute1")?.name).toBe("cell1");
    const cell2 = cells.createCell("cell2", "zmq://127.0.0.1:5680", "sqlite:///nova_cell2.sqlite");
    upsertComputeNode(cells.db(cell2), "compute9", "compute9", { vcpus: 4 });
    expect(cells.discoverHosts().map((m) => [m.host, m.cell.name])).toEqual([["compute9", "cell2"]]);
    expect(() => cells.createCell("cell2", "zmq://127.0.0.1:5681", "sqlite:///x.sqlite")).toThrow(/already in use/);
  });
});
