import { type ChildProcess, spawn } from "node:child_process";
import { closeSync, mkdirSync, openSync, rmSync, writeFileSync } from "node:fs";
import type { Config } from "../common/config/config.js";
import { log } from "../common/log.js";
import type { Layout } from "../common/paths.js";
import { type ServiceSpec, entryCommand } from "./services.js";
import { type SupervisorState, type UnitState, writeState } from "./state.js";

interface Unit {
  spec: ServiceSpec;
  state: UnitState;
  child?: ChildProcess;
  restartTimer?: NodeJS.Timeout;
  readyWaiters: Array<() => void>;
}

/**
 * Runs each service as a child process (like systemd units): one log file each, a pid file each,
 * readiness over the IPC channel, restart with exponential backoff after a crash, and an orderly stop
 * (SIGTERM, then SIGKILL after the grace period).
 */
export class Supervisor {
  private readonly units: Unit[];
  private stopping = false;
  private readonly state: SupervisorState;

  constructor(
    private readonly layout: Layout,
    private readonly config: Config,
    specs: ServiceSpec[],
  ) {
    mkdirSync(layout.logs, { recursive: true });
    mkdirSync(layout.run, { recursive: true });
    this.units = specs.map((spec) => this.newUnit(spec));
    this.state = {
      pid: process.pid,
      host: config.str("DEFAULT", "host"),
      started_at: new Date().toISOString(),
      state_dir: layout.root,
      units: this.units.map((u) => u.state),
    };
  }

  private newUnit(spec: ServiceSpec): Unit {
    return {
      spec,
      readyWaiters: [],
      state: {
        name: spec.name,
        description: spec.description,
        pid: null,
        state: "stopped",
        port: spec.port ?? spec.tcpPort ?? null,
        started_at: null,
        restarts: 0,
        last_exit: null,
      },
    };
  }

  /**
   * Bring the running set in line with a new list of units (`os node add` changed the node list): start
   * the new ones, stop the ones that are gone. Units present in both are left alone.
   */
  async reconcile(specs: ServiceSpec[], readyTimeoutMs: number): Promise<void> {
    if (this.stopping) return;
    const wanted = new Set(specs.map((s) => s.name));
    for (const unit of this.units.filter((u) => !wanted.has(u.spec.name))) {
      clearTimeout(unit.restartTimer);
      this.units.splice(this.units.indexOf(unit), 1);
      if (unit.child) {
        const child = unit.child;
        unit.child = undefined;
        child.kill("SIGTERM");
        setTimeout(() => child.kill("SIGKILL"), this.config.int("supervisor", "stop_grace_period") * 1000).unref();
      }
      rmSync(this.layout.pid(unit.spec.name), { force: true });
      log.info(`removed unit ${unit.spec.name}`);
    }
    const added: Unit[] = [];
    for (const spec of specs) {
      if (this.units.some((u) => u.spec.name === spec.name)) continue;
      const unit = this.newUnit(spec);
      this.units.push(unit);
      added.push(unit);
    }
    this.state.units = this.units.map((u) => u.state);
    // New nodes start side by side: each registers itself, none waits for another.
    for (const unit of added) this.spawn(unit);
    await Promise.all(added.map((unit) => this.waitReady(unit, readyTimeoutMs)));
    this.save();
  }

  /**
   * Start every unit, each as soon as the units it comes `after` are ready (or failed to), like systemd
   * starting independent units in parallel; `afterReady` runs between a ready unit and its dependents.
   * `after` names earlier units only (so there is no cycle); a name not in the list is not waited for.
   */
  async start(readyTimeoutMs: number, afterReady?: (unit: string) => Promise<void>): Promise<void> {
    this.save();
    const settled = new Map<string, Promise<void>>();
    const startUnit = async (unit: Unit, after: Array<Promise<void>>) => {
      await Promise.all(after);
      this.spawn(unit);
      await this.waitReady(unit, readyTimeoutMs);
      if (unit.state.state === "running") await afterReady?.(unit.spec.name);
    };
    for (const unit of this.units) {
      const after = (unit.spec.after ?? []).flatMap((name) => settled.get(name) ?? []);
      settled.set(unit.spec.name, startUnit(unit, after));
    }
    await Promise.all(settled.values());
  }

  private save() {
    writeState(this.layout.supervisorState, this.state);
  }

  private spawn(unit: Unit) {
    if (this.stopping) return;
    const { args } = entryCommand(unit.spec.entry);
    args.push(...(unit.spec.args ?? []));
    const out = openSync(this.layout.log(unit.spec.name), "a");
    const child = spawn(process.execPath, args, {
      env: { ...process.env, POCKETSTACK_HOME: this.layout.root },
      stdio: ["ignore", out, out, "ipc"],
    });
    closeSync(out);
    unit.child = child;
    Object.assign(unit.state, { pid: child.pid ?? null, state: "starting", started_at: new Date().toISOString() });
    if (child.pid) writeFileSync(this.layout.pid(unit.spec.name), `${child.pid}\n`);
    log.info(`started ${unit.spec.name} (pid ${child.pid})`);
    this.save();
    child.on("message", (m: { type?: string }) => {
      if (m?.type !== "ready") return;
      unit.state.state = "running";
      this.save();
      for (const w of unit.readyWaiters.splice(0)) w();
    });
    child.on("exit", (code, signal) => this.onExit(unit, child, code, signal));
  }

  private onExit(unit: Unit, child: ChildProcess, code: number | null, signal: NodeJS.Signals | null) {
    if (unit.child !== child) return;
    unit.child = undefined;
    unit.state.pid = null;
    unit.state.last_exit = { code, signal, at: new Date().toISOString() };
    rmSync(this.layout.pid(unit.spec.name), { force: true });
    for (const w of unit.readyWaiters.splice(0)) w();
    if (this.stopping) {
      unit.state.state = "stopped";
      this.save();
      return;
    }
    // A crash: restart with backoff (1, 2, 4 … s, capped), reset once a run lasted a minute.
    const ranMs = Date.now() - Date.parse(unit.state.started_at ?? new Date().toISOString());
    if (ranMs > 60_000) unit.state.restarts = 0;
    const max = this.config.int("supervisor", "restart_backoff_max") * 1000;
    const delay = Math.min(1000 * 2 ** unit.state.restarts, max);
    unit.state.restarts += 1;
    unit.state.state = "restarting";
    const why = signal ? `signal ${signal}` : `exit code ${code}`;
    log.warning(`${unit.spec.name} died (${why}); restarting in ${delay / 1000}s (restart #${unit.state.restarts})`);
    this.appendToUnitLog(unit, `*** pocketstack supervisor: process exited (${why}); restarting in ${delay / 1000}s\n`);
    this.save();
    unit.restartTimer = setTimeout(() => this.spawn(unit), delay);
  }

  private appendToUnitLog(unit: Unit, line: string) {
    const fd = openSync(this.layout.log(unit.spec.name), "a");
    writeFileSync(fd, `${new Date().toISOString()} ${line}`);
    closeSync(fd);
  }

  private waitReady(unit: Unit, timeoutMs: number): Promise<void> {
    if (unit.state.state === "running") return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(done, timeoutMs);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      unit.readyWaiters.push(done);
    });
  }

  /** SIGTERM every unit (in reverse order), SIGKILL what is left after the grace period. */
  async stop(): Promise<void> {
    this.stopping = true;
    const grace = this.config.int("supervisor", "stop_grace_period") * 1000;
    const running = this.units.filter((u) => u.child).reverse();
    for (const u of this.units) clearTimeout(u.restartTimer);
    for (const u of this.units) if (!u.child) u.state.state = "stopped";
    await Promise.all(
      running.map(
        (u) =>
          new Promise<void>((resolve) => {
            const child = u.child as ChildProcess;
            u.state.state = "stopping";
            const timer = setTimeout(() => child.kill("SIGKILL"), grace);
            child.once("exit", () => {
              clearTimeout(timer);
              resolve();
            });
            child.kill("SIGTERM");
          }),
      ),
    );
    this.save();
  }
}
