// One nova-compute service (nova.service.Service around the ComputeManager): start the driver, wait for
// the conductor, register the service, recover the node's instances (init_host), report the node
// (update_available_resource), serve `compute.<host>`, then heartbeat and run the periodic tasks.
// stop() is graceful: no new messages, running builds finish, guests keep running.
import { join } from "node:path";
import type { Config } from "../../common/config/config.js";
import { log } from "../../common/log.js";
import { MessageDeliveryFailure, MessagingTimeout, RpcClient, RpcServer } from "../../common/rpc/index.js";
import { type ComputeDriver, type DriverServices, loadDriver } from "../../../hypervisor/driver.js";
import { ConductorAPI, type Service } from "./conductor-api.js";
import { type ManagerDeps, adminContext } from "./deps.js";
import { initInstances } from "./init-host.js";
import { KeyedLock, Semaphore } from "./locks.js";
import { ComputeManager } from "./manager.js";
import { Periodic } from "./periodic.js";
import { syncPowerStates } from "./power-sync.js";
import { ReportClient, PLACEMENT_VERSION } from "./report-client.js";
import { ResourceTracker } from "./resource-tracker.js";
import { serviceHttp } from "./service-http.js";

export const BINARY = "nova-compute";
/** The compute RPC API version this manager implements. */
export const COMPUTE_RPC_VERSION = "6.0";

export interface ComputeServiceOptions {
  host: string;
  driver: string;
  config: Config;
  /** The cloud's state directory; the node keeps its own files under <dir>/compute/<host>/. */
  stateDir: string;
  /** Seconds to wait for running builds on a graceful stop. */
  stopTimeoutMs?: number;
}

export class ComputeService {
  readonly host: string;
  private readonly config: Config;
  private rpc?: RpcClient;
  private server?: RpcServer;
  private readonly periodics: Periodic[] = [];
  private service?: Service;
  private reportCount = 0;
  private resourceTimer?: NodeJS.Timeout;
  deps?: ManagerDeps;
  manager?: ComputeManager;
  driver?: ComputeDriver;

  constructor(private readonly opts: ComputeServiceOptions) {
    this.host = opts.host;
    this.config = opts.config;
  }

  get nodeDir(): string {
    return join(this.opts.stateDir, "compute", this.host);
  }

  async start(): Promise<void> {
    const cfg = this.config;
    const transportUrl = cfg.str("DEFAULT", "transport_url");
    this.rpc = new RpcClient(transportUrl, { timeoutMs: cfg.int("DEFAULT", "rpc_response_timeout") * 1000 });
    const conductor = new ConductorAPI(this.rpc);
    const imageHttp = serviceHttp(cfg, this.opts.stateDir, "image");
    const services: DriverServices = {
      async uploadImage(_ctx, imageId, data) {
        const r = await imageHttp.request("PUT", `/v2/images/${imageId}/file`, data, { "content-type": "application/octet-stream" });
        if (r.status !== 204 && r.status !== 200) throw new Error(`Glance refused the snapshot upload of ${imageId}: ${r.status}`);
      },
    };
    this.driver = await loadDriver(this.opts.driver, { host: this.host, stateDir: this.nodeDir, config: cfg, services });
    const report = new ReportClient(serviceHttp(cfg, this.opts.stateDir, "placement", PLACEMENT_VERSION));
    const tracker = new ResourceTracker(this.host, this.driver, conductor, report, cfg, join(this.nodeDir, "compute_id"));
    this.deps = {
      host: this.host,
      driver: this.driver,
      conductor,
      report,
      tracker,
      config: cfg,
      instanceLocks: new KeyedLock(),
      buildSemaphore: new Semaphore(cfg.int("compute", "max_concurrent_builds")),
      resourcesChanged: () => this.resourcesChangedSoon(),
    };
    this.manager = new ComputeManager(this.deps);

    await this.driver.init_host(this.host);
    const ctx = adminContext();
    this.service = await this.registerService();
    await initInstances(this.deps, this.manager, ctx);
    await this.updateResources(this.service);

    this.server = new RpcServer(transportUrl, "compute", this.manager, { host: this.host, version: COMPUTE_RPC_VERSION });
    await this.server.start();
    log.info(`${BINARY} on ${this.host} serves compute.${this.host} with the ${this.driver.name} driver`);

    const sec = (o: string) => cfg.int("compute", o) * 1000;
    this.periodics.push(
      new Periodic("report_state", sec("report_interval"), () => this.reportState()),
      new Periodic("update_available_resource", sec("update_resources_interval"), () => this.updateResources()),
      new Periodic("_sync_power_states", sec("sync_power_state_interval"), async () => {
        await syncPowerStates(this.deps as ManagerDeps, this.manager as ComputeManager, adminContext());
      }),
    );
    for (const p of this.periodics) p.start();
  }

  /** Graceful stop: leave the bus, let running builds end (bounded), keep the guests. */
  async stop(): Promise<void> {
    for (const p of this.periodics) p.stop();
    await this.server?.stop();
    if (this.deps) {
      const timeout = new Promise((r) => setTimeout(r, this.opts.stopTimeoutMs ?? 10_000));
      await Promise.race([this.deps.buildSemaphore.idle(), timeout]);
    }
    // No more resource updates once the builds are done; let a running one finish.
    this.stopping = true;
    if (this.resourceTimer) clearTimeout(this.resourceTimer);
    await this.updating;
    await this.driver?.cleanup_host(this.host);
    this.rpc?.close();
  }

  /** Find or create our service row; wait (as Nova's conductor.wait_until_ready) until the conductor answers. */
  private async registerService(): Promise<Service> {
    const conductor = (this.deps as ManagerDeps).conductor;
    let delay = 250;
    for (;;) {
      try {
        const ctx = adminContext();
        const found = await conductor.service_get_by_host_and_binary(ctx, this.host, BINARY, 5000);
        if (found) return found;
        const created = await conductor.service_create(ctx, {
          host: this.host,
          binary: BINARY,
          topic: "compute",
          availability_zone: "nova",
        });
        log.info(`registered service ${BINARY} on ${this.host} (id ${created.id})`);
        return created;
      } catch (err) {
        if (!(err instanceof MessagingTimeout || err instanceof MessageDeliveryFailure)) throw err;
        log.info(`waiting for nova-conductor on the bus (${(err as Error).message})`);
        await new Promise((r) => setTimeout(r, delay));
        delay = Math.min(delay * 2, 5000);
      }
    }
  }

  /** The heartbeat (servicegroup db driver): report_count goes up, the conductor stamps updated_at. */
  private async reportState(): Promise<void> {
    if (!this.service) return;
    this.reportCount = (this.service.report_count ?? 0) + 1;
    this.service.report_count = this.reportCount;
    await this.deps?.conductor.service_update_cast(adminContext(), this.service.id, { report_count: this.reportCount });
  }

  private updating?: Promise<void>;

  /**
   * update_available_resource, never two at once; the service's disabled flag becomes a trait. `known`:
   * the service row just read or created (at start), not read again.
   */
  async updateResources(known?: Service): Promise<void> {
    if (this.updating) return this.updating;
    this.updating = (async () => {
      const deps = this.deps as ManagerDeps;
      const ctx = adminContext();
      try {
        const svc = known ?? (await deps.conductor.service_get_by_host_and_binary(ctx, this.host, BINARY));
        if (svc) this.service = { ...svc, report_count: Math.max(svc.report_count ?? 0, this.reportCount) };
        await deps.tracker.update_available_resource(ctx, Boolean(svc?.disabled));
      } catch (err) {
        log.error(`update_available_resource failed: ${(err as Error).message}`);
      }
    })().finally(() => {
      this.updating = undefined;
    });
    return this.updating;
  }

  private stopping = false;

  private resourcesChangedSoon(): void {
    if (this.resourceTimer || this.stopping) return;
    this.resourceTimer = setTimeout(() => {
      this.resourceTimer = undefined;
      void this.updateResources();
    }, 200);
  }
}
