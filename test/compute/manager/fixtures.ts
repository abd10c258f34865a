// The world a compute worker lives in, for tests: a real broker process, a conductor played by the test
// (an RpcServer on topic `conductor` that keeps instances, events, faults and heartbeats in memory, with
// Nova's expected_task_state check), and the real Placement app in this process with noauth2.
import { randomUUID } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { RequestContext } from "../../../src/engine/common/context.js";
import { RpcClient, RpcServer } from "../../../src/engine/common/rpc/index.js";
import type { Instance } from "../../../src/hypervisor/driver.js";
import { type Placement, client as placementClient, startPlacement } from "../../placement/helpers.js";
import { type Proc, spawnTs, startBrokerProcess } from "../../rpc/fixtures/procs.js";

export const ctx: RequestContext = { roles: ["admin"], is_admin: true, request_id: "req-test", user_id: "u1", project_id: "p1" };

class UnexpectedTaskStateError extends Error {
  override name = "UnexpectedTaskStateError";
  constructor(
    readonly expected: unknown,
    readonly actual: string | null,
  ) {
    super(`Unexpected task state: expecting ${JSON.stringify(expected)} but the actual state is ${actual}`);
  }
}
class InstanceNotFound extends Error {
  override name = "InstanceNotFound";
  code = 404;
}

export interface Recorded {
  method: string;
  args: Record<string, any>;
  at: number;
}

/** The conductor as the compute sees it over the bus. */
export class FakeConductor {
  services = new Map<string, Record<string, any>>();
  nodes = new Map<string, Record<string, any>>();
  instances = new Map<string, Instance>();
  destroyed = new Set<string>();
  /** Per instance: "vm_state/task_state" after each save, in order. */
  history = new Map<string, string[]>();
  events: Array<{ uuid: string; event: string; phase: "start" | "finish"; result?: string; host?: string }> = [];
  faults: Array<{ uuid: string; code: number; message: string; details: string }> = [];
  heartbeats: Array<{ id: unknown; report_count: number; at: number }> = [];
  reschedules: Array<Record<string, any>> = [];
  private nextServiceId = 1;

  service_get_by_host_and_binary(_c: RequestContext, a: { host: string; binary: string }) {
    return this.services.get(`${a.host}/${a.binary}`) ?? null;
  }
  service_create(_c: RequestContext, a: Record<string, any>) {
    const svc = { id: this.nextServiceId++, ...a, report_count: 0, disabled: false, forced_down: false };
    this.services.set(`${a.host}/${a.binary}`, svc);
    return svc;
  }
  service_update(_c: RequestContext, a: { id: unknown; updates: { report_count: number } }) {
    this.heartbeats.push({ id: a.id, report_count: a.updates.report_count, at: Date.now() });
    for (const s of this.services.values()) if (s.id === a.id) Object.assign(s, a.updates, { updated_at: new Date().toISOString() });
  }
  compute_node_update(_c: RequestContext, a: { host: string; node: string; resources: Record<string, any> }) {
    const node = { ...(this.nodes.get(a.node) ?? { id: this.nodes.size + 1 }), host: a.host, hypervisor_hostname: a.node, ...a.resources };
    this.nodes.set(a.node, node);
    return node;
  }
  instance_get_all_by_host(_c: RequestContext, a: { host: string }) {
    return [...this.instances.values()].filter((i) => i.host === a.host).map((i) => structuredClone(i));
  }
  instance_get(_c: RequestContext, a: { uuid: string }) {
    const i = this.instances.get(a.uuid);
    if (!i) throw new InstanceNotFound(`Instance ${a.uuid} could not be found.`);
    return structuredClone(i);
  }
  instance_save(_c: RequestContext, a: { uuid: string; updates: Record<string, any>; expected_task_state?: unknown }) {
    const i = this.instances.get(a.uuid);
    if (!i) throw new InstanceNotFound(`Instance ${a.uuid} could not be found.`);
    if (a.expected_task_state !== undefined) {
      const allowed = Array.isArray(a.expected_task_state) ? a.expected_task_state : [a.expected_task_state];
      if (!allowed.includes(i.task_state)) throw new UnexpectedTaskStateError(a.expected_task_state, i.task_state);
    }
    Object.assign(i, a.updates, { updated_at: new Date().toISOString() });
    const h = this.history.get(a.uuid) ?? [];
    const step = `${i.vm_state}/${i.task_state ?? "None"}`;
    if (h[h.length - 1] !== step) h.push(step);
    this.history.set(a.uuid, h);
    return structuredClone(i);
  }
  instance_destroy(_c: RequestContext, a: { uuid: string }) {
    if (!this.instances.delete(a.uuid)) throw new InstanceNotFound(`Instance ${a.uuid} could not be found.`);
    this.destroyed.add(a.uuid);
  }
  instance_action_event_start(_c: RequestContext, a: { uuid: string; event: string; host: string }) {
    this.events.push({ uuid: a.uuid, event: a.event, phase: "start", host: a.host });
  }
  instance_action_event_finish(_c: RequestContext, a: { uuid: string; event: string; result: string }) {
    this.events.push({ uuid: a.uuid, event: a.event, phase: "finish", result: a.result });
  }
  instance_fault_create(_c: RequestContext, a: { uuid: string; code: number; message: string; details: string }) {
    this.faults.push(a);
  }
  build_instances(_c: RequestContext, a: Record<string, any>) {
    this.reschedules.push(a);
  }

  /** An instance as nova-api/conductor would have created it for a build on host. */
  addInstance(overrides: Partial<Instance> = {}): Instance {
    const uuid = randomUUID();
    const id = this.instances.size + this.destroyed.size + 1;
    const inst: Instance = {
      uuid,
      name: `instance-${id.toString(16).padStart(8, "0")}`,
      display_name: `vm${id}`,
      hostname: `vm${id}`,
      project_id: "p1",
      user_id: "u1",
      image_ref: "img-1",
      flavor: { flavorid: "1", name: "m1.tiny", vcpus: 1, memory_mb: 512, root_gb: 1, ephemeral_gb: 0, swap: 0, extra_specs: {} },
      vm_state: "building",
      task_state: "scheduling",
      power_state: 0,
      host: null,
      node: null,
      launched_at: null,
      ...overrides,
    };
    this.instances.set(uuid, inst);
    return structuredClone(inst);
  }

  eventsOf(uuid: string): string[] {
    return this.events.filter((e) => e.uuid === uuid).map((e) => `${e.event}:${e.phase}${e.result ? `:${e.result}` : ""}`);
  }
}

export async function until<T>(
  what: string,
  probe: () => T | undefined | false | Promise<T | undefined | false>,
  timeoutMs = 10_000,
): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

export interface World {
  url: string;
  broker: Proc;
  conductor: FakeConductor;
  conductorServer: RpcServer;
  rpc: RpcClient;
  placement: Placement;
  placementApi: ReturnType<typeof placementClient>;
  home: string;
  /** The POCKETSTACK_SET a compute of this world runs with. */
  settings(extra?: string[]): string;
  close(): Promise<void>;
}

export async function startWorld(): Promise<World> {
  const { proc: broker, url } = await startBrokerProcess();
  const conductor = new FakeConductor();
  const conductorServer = new RpcServer(url, "conductor", conductor, { version: "3.0", heartbeatMs: 200 });
  await conductorServer.start();
  const placement = await startPlacement();
  const port = new URL(placement.url).port;
  const rpc = new RpcClient(url, { timeoutMs: 5000 });
  const home = mkdtempSync(join(tmpdir(), "pocketstack-compute-"));
  return {
    url,
    broker,
    conductor,
    conductorServer,
    rpc,
    placement,
    placementApi: placementClient(placement.url, { version: "1.39" }),
    home,
    settings: (extra = []) =>
      [
        `DEFAULT.transport_url=${url}`,
        "api.auth_strategy=noauth2",
        `api.placement_port=${port}`,
        "api.glance_port=1",
        "trace.enabled=false",
        "compute.report_interval=1",
        ...extra,
      ].join(";"),
    async close() {
      rpc.close();
      await conductorServer.stop();
      await placement.close();
      await broker.kill("SIGKILL");
    },
  };
}

/** nova-compute as the supervisor runs it (main.ts), waiting for its ready line. */
export async function startCompute(world: World, host: string, extra: string[] = [], home = world.home): Promise<Proc> {
  const proc = spawnTs("src/engine/compute/manager/main.ts", ["--host", host, "--driver", "fake"], {
    POCKETSTACK_HOME: home,
    POCKETSTACK_SET: world.settings(extra),
  });
  await proc.waitFor((l) => l.ready === true && l.host === host, 20_000);
  return proc;
}
