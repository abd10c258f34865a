// The trace watcher's views, rendered with ink-testing-library from the recorded flows in fixtures/traces.
import { render } from "ink-testing-library";
import { afterEach, describe, expect, it, vi } from "vitest";
import { SpanDetail } from "../../src/tui/components/SpanDetail.js";
import { SwimlaneView } from "../../src/tui/components/SwimlaneView.js";
import { TraceWatchApp } from "../../src/tui/components/TraceWatchApp.js";
import { WaterfallView } from "../../src/tui/components/WaterfallView.js";
import { buildSwimlane } from "../../src/tui/data/lanes.js";
import { MemorySource } from "../../src/tui/data/source.js";
import { buildWaterfall } from "../../src/tui/data/waterfall.js";
import { allFixtures, byEnd, loadTrace } from "./fixtures.js";

const DOWN = "\u001B[B";
const ESC = "\u001B";
const unmounts: Array<() => void> = [];
afterEach(() => {
  for (const u of unmounts.splice(0)) u();
});

function app(
  size: { columns: number; rows: number },
  source = new MemorySource(allFixtures()),
  extra: Partial<Parameters<typeof TraceWatchApp>[0]> = {},
) {
  const r = render(<TraceWatchApp source={source} size={size} intervalMs={25} {...extra} />);
  unmounts.push(r.unmount);
  const frame = () => r.lastFrame() ?? "";
  const see = (text: string | RegExp) => vi.waitFor(() => expect(frame()).toMatch(text), { timeout: 5000 });
  // Keys are sent one at a time and each waits for a new frame, so the next key meets the updated state.
  const press = async (...keys: string[]) => {
    for (const k of keys) {
      const before = r.frames.length;
      r.stdin.write(k);
      await vi.waitFor(() => expect(r.frames.length).toBeGreaterThan(before), { timeout: 1000 }).catch(() => undefined);
    }
  };
  return { ...r, frame, see, press };
}

describe("request list", () => {
  it("lists every request newest first with method, path, status and duration", async () => {
    const a = app({ columns: 100, rows: 30 });
    await a.see("3 requests");
    const lines = a.frame().split("\n");
    const row = (path: string) => lines.findIndex((l) => l.includes(path));
    expect(row("/v2/images/0d1b3c4e")).toBeLessThan(row("/v3/auth/tokens"));
    expect(row("/v3/auth/tokens")).toBeLessThan(row("/v2.1/servers"));
    expect(lines[row("/v2.1/servers")]).toMatch(/req-3f2b8c1d\s+a3f1c2d4\s+POST\s+\/v2\.1\/servers\s+202\s+182ms/);
    expect(lines[row("/v2/images/0d1b3c4e")]).toMatch(/PUT .* 500\s+412ms/);
  });

  it("filters by status, path and service with `/`, and Esc clears the filter", async () => {
    const a = app({ columns: 160, rows: 40 });
    await a.see("3 requests");
    await a.press("/", ..."status:5xx", "\r");
    await a.see("1/3 requests");
    expect(a.frame()).toContain("filter: status:5xx");
    expect(a.frame()).not.toContain("/v2.1/servers");
    await a.press("/", ..."\x7f".repeat("status:5xx".length), ..."service:placement", "\r");
    await a.see("filter: service:placement");
    const list = a
      .frame()
      .split("\n")
      .map((l) => l.split("│")[0])
      .join("\n");
    expect(list).toMatch(/POST\s+\/v2\.1\/servers/);
    expect(list).not.toContain("/v3/auth/tokens");
    await a.press(ESC);
    await a.see(/· 3 requests/);
  });

  it("pauses and resumes with p", async () => {
    const source = new MemorySource(loadTrace("token-issue"));
    const a = app({ columns: 160, rows: 40 }, source);
    await a.see("1 requests");
    await a.press("p");
    await a.see("paused");
    source.push(...loadTrace("image-upload-error"));
    await new Promise((r) => setTimeout(r, 150)); // several poll intervals: nothing may arrive while paused
    expect(a.frame()).toContain("1 requests");
    await a.press("p");
    await a.see("2 requests");
    expect(a.frame()).toContain("● live");
  });

  it("shows spans arriving live: the request is open (spinner, no status) until its root span lands", async () => {
    const source = new MemorySource([]);
    const a = app({ columns: 160, rows: 40 }, source);
    await a.see("Waiting for requests");
    const spans = byEnd(loadTrace("server-create", Date.now()));
    source.push(...spans.slice(0, 5)); // keystone's validation finishes first
    await a.see(/\(5 spans so far\)/);
    expect(a.frame()).toMatch(/[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏]/u);
    source.push(...spans.slice(5));
    await a.see(/POST\s+\/v2\.1\/servers\s+202/);
    await a.see("51 spans");
  });

  it("exports the selected request with e and says where it went", async () => {
    const onExport = vi.fn(() => "Exported 3 spans to /tmp/x.html");
    const a = app({ columns: 160, rows: 40 }, new MemorySource(loadTrace("token-issue")), { onExport });
    await a.see("1 requests");
    await a.press("e");
    await a.see("Exported 3 spans to /tmp/x.html");
    expect(onExport).toHaveBeenCalledOnce();
    expect((onExport.mock.calls[0] as unknown as [unknown, unknown[]])[1]).toHaveLength(3);
  });
});

describe("waterfall", () => {
  it("draws the server create flow as a tree with time bars and durations", async () => {
    const r = render(<WaterfallView model={buildWaterfall(loadTrace("server-create"))} selected={0} width={120} height={60} focused />);
    unmounts.push(r.unmount);
    const f = r.lastFrame() ?? "";
    for (const name of [
      "ServersController.create",
      "compute_api.create",
      "_provision_instances",
      "ComputeTaskManager.schedule_and_build_instances",
      "SchedulerManager.select_destinations",
      "_do_build_and_run_instance",
      "_build_resources",
      "spawn",
      "_create_image",
      "_create_domain_and_network",
      "Guest.create",
      "launch",
    ])
      expect(f).toContain(name.slice(0, 24)); // long names are cut to the column
    expect(f).toMatch(/^›POST \/v2\.1\/servers\s+nova-api\s+█+·+\s+182ms$/m);
    expect(f).toMatch(/└─launch\s+nova-compute\s+·+█+·*\s+872ms$/m);
    // The axis ends at the last span's end, 2.30 s after the request came in.
    expect(f).toMatch(/SPAN\s+SERVICE\s+0\s+2\.30s\s+TIME/);
  });

  it("marks the failing span of a request (red in a terminal) and its 500", async () => {
    const a = app({ columns: 160, rows: 40 });
    await a.see("3 requests");
    await a.press("\r", ...Array(4).fill(DOWN));
    await a.see(/›\s*└─glance_store\.add/);
    expect(a.frame()).toContain("StorageFull: There is not enough disk space");
  });
});

describe("swimlane", () => {
  it("has a column per service and arrows for the HTTP and RPC hops in time order", async () => {
    const model = buildSwimlane(loadTrace("server-create"));
    expect(model.lanes).toEqual([
      "nova-api",
      "keystone",
      "glance",
      "placement",
      "nova-conductor",
      "nova-scheduler",
      "nova-compute@compute1",
      "hypervisor",
    ]);
    const r = render(<SwimlaneView model={model} selected={0} width={200} height={80} focused />);
    unmounts.push(r.unmount);
    const lines = (r.lastFrame() ?? "").split("\n");
    expect(lines[0]).toMatch(
      /nova-api\s+keystone\s+glance\s+placement\s+nova-conductor\s+nova-scheduler\s+nova-compute@compute1\s+hypervisor/,
    );
    const at = (re: RegExp) => lines.findIndex((l) => re.test(l));
    const hops = [
      /│─ GET \/v3\/auth\/tok.*▶│/, // authtoken in nova-api asks keystone
      /│─+ schedule_and_build_instances \(cast\) ─+▶│/,
      /│─ select_destinat.*▶│/, // conductor → scheduler, a call: the conductor waits
      /│◀─+ GET \/placement\/allocation_can.*─│/, // scheduler (right) calls placement (left)
      /│◀┈+ reply ┈+│/,
      /│─+ build_and_run_instance \(cast\) ─+▶│/,
      /│◀─+ object_action \(call\) ─+│/, // compute cannot write the database: it asks the conductor
      /│─+ spawn ─+▶│/, // nova-compute hands the guest to the hypervisor driver
      /│◀─+ GET \/v2\/images\/0d1b3c4e-5f60-4a7b-8c9d-0e1f2a3b4c5d\/file ─+│/, // the driver downloads the image
    ];
    const rows = hops.map(at);
    for (const [i, row] of rows.entries()) expect(row, String(hops[i])).toBeGreaterThan(0);
    expect([...rows].sort((x, y) => x - y)).toEqual(rows);
  });

  it("degrades in 80 columns: short lane titles, every line within the width", async () => {
    const a = app({ columns: 80, rows: 24 });
    await a.see("3 requests");
    await a.press(DOWN, DOWN, "\r", "\t");
    await a.see("nova-api keystone");
    const lines = a.frame().split("\n");
    expect(lines.length).toBeLessThanOrEqual(23);
    for (const l of lines) expect([...l].length).toBeLessThanOrEqual(80);
    expect(lines.some((l) => /conduct… schedul…/.test(l))).toBe(true);
  });
});

describe("detail pane", () => {
  it("shows where a span ran, its attributes and the explanation of well-known steps", () => {
    const spans = loadTrace("server-create");
    const guest = spans.find((s) => s.name === "Guest.create");
    const r = render(<SpanDetail span={guest} traceStart={spans[0]?.start ?? 0} width={100} height={20} />);
    unmounts.push(r.unmount);
    const f = r.lastFrame() ?? "";
    expect(f).toMatch(/Service\s+nova-compute host compute1 pid 4601/);
    expect(f).toMatch(/Kind\s+driver at \+1\.30s took 94\.4ms/);
    expect(f).toMatch(/Explain\s+Builds the QEMU process description/);
    expect(f).toMatch(/qemu\.cmdline\s+qemu-system-x86_64 -name instance-00000001 -machine q35,accel=tcg/);
    expect(f).toContain("127.0.0.1:0 -display none"); // a long value wraps instead of being cut
  });

  it("in a tall terminal sits under the view and follows the selection", async () => {
    const a = app({ columns: 160, rows: 50 });
    await a.see("3 requests");
    await a.press(DOWN, DOWN, "\r", ...Array(13).fill(DOWN));
    await a.see(/›\s+├─_provision_instances/);
    expect(a.frame()).toMatch(/Explain\s+Writes the request spec, a build request and an instance mapping/);
    await a.press("\t", "\t");
    await a.see(/ Detail .*\(Tab\)/);
    expect(a.frame()).toMatch(/Span\s+_provision_instances/);
    expect(a.frame()).toMatch(/db\.statements\s+6/);
  });
});
