import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { delimiter, join } from "node:path";
import { resolveAuth } from "../../client/auth-config.js";
import { layout } from "../common/paths.js";
import { readState } from "../cloud/state.js";
import { type StepContext, runEdit, runHttp, runOs, runRestart, runShell } from "./actions.js";
import { type Outcome, check, extract } from "./expect.js";
import type { LoadedLab } from "./load.js";
import { pickPorts } from "./ports.js";
import type { Step, TraceSpec } from "./schema.js";
import { type Vars, fill, fillArgs, fillDeep } from "./template.js";
import { type StepTrace, stepTrace } from "./trace.js";

export type StepStatus = "passed" | "failed" | "skipped" | "not run";

export interface StepResult {
  /** 1-based position in its list. */
  index: number;
  phase: "step" | "cleanup";
  title: string;
  status: StepStatus;
  /** One readable line per expectation that did not hold. */
  failures: string[];
  /** Why it was skipped. */
  reason?: string;
  output?: string;
  trace?: StepTrace;
  attempts: number;
  ms: number;
  saved: Record<string, string>;
}

export interface LabResult {
  lab: string;
  steps: StepResult[];
  cleanup: StepResult[];
  ok: boolean;
  /** The first step (or cleanup step) that failed. */
  firstFailure?: StepResult;
}

export interface LabReporter {
  start(lab: LoadedLab, info: { stateDir: string; driver: string; only?: number }): void;
  /** Just before a step runs, with the command as a person would type it. */
  step(index: number, total: number, phase: "step" | "cleanup", step: Step, command: string): void;
  result(step: Step, r: StepResult): void;
  summary(r: LabResult): void;
}

export interface RunOptions {
  stateDir: string;
  /** Run this step (1-based) alone, with the values earlier runs saved. */
  only?: number;
  /** Go on after a failed step (default: stop, run the cleanup, report). */
  keepGoing?: boolean;
  /** Interactive mode: asked before each step; "quit" stops (cleanup still runs). */
  beforeStep?: (index: number, total: number, step: Step) => Promise<"run" | "quit">;
  /** `--set` overrides the cloud was started with (for steps that run `os cloud up` again). */
  overrides?: string[];
  reporter: LabReporter;
  /** Default per-step timeout, seconds. */
  stepTimeout?: number;
}

const DEFAULT_TIMEOUT_S = 120;

/** The compute driver the running cloud uses, read from its compute units' descriptions. */
export function cloudDriver(stateDir: string): string {
  const units = readState(layout(stateDir).supervisorState)?.units ?? [];
  for (const u of units) {
    const m = /\((\w+) driver\)/.exec(u.description);
    if (u.name.startsWith("nova-compute") && m?.[1]) return m[1];
  }
  return "none";
}

/** Environment of a step's commands: the lab's cloud, and no OS_* from the caller's shell. */
export function stepEnvironment(stateDir: string, workDir: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith("OS_")) env[k] = v;
  return { ...env, POCKETSTACK_HOME: stateDir, STATE: stateDir, WORK: workDir, NO_COLOR: "1", ...extra };
}

const quote = (a: string) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, "'\\''")}'`);

const short = (v: string) => (v.length > 40 ? `${v.slice(0, 24)}…` : v);

/** Who a step acts as, when its env says (`OS_USERNAME=demo OS_PROJECT_NAME=demo os …`). */
function actingAs(env: Record<string, string | number | boolean> | undefined): string {
  const shown = ["OS_USERNAME", "OS_PROJECT_NAME", "OS_CLOUD", "OS_SYSTEM_SCOPE"].filter((k) => env?.[k] !== undefined);
  return shown.map((k) => `${k}=${env?.[k]} `).join("");
}

/** The step as a person would type it (an http step: method, <service endpoint>path, headers, body). */
export function describe(step: Step, vars: Vars): string {
  const who = actingAs(step.env);
  if (step.os) return `${who}os ${fillArgs(step.os, vars).map(quote).join(" ")}`;
  if (step.shell) return `${who}${fill(step.shell, vars)}`;
  if (step.http) {
    const h = fillDeep(step.http, vars);
    const headers = Object.entries(h.headers ?? {}).map(([k, v]) => `\n${k}: ${short(String(v))}`);
    const text = h.body === undefined ? "" : typeof h.body === "string" ? h.body : JSON.stringify(h.body);
    const body = text ? `\n${text.length > 160 ? `${text.slice(0, 150)}… (${text.length} bytes)` : text}` : "";
    return `${who}${h.method} ${h.url ?? `<${h.service} endpoint>`}${h.path}${headers.join("")}${body}`;
  }
  if (step.edit) return step.edit.restore ? `restore ${fill(step.edit.file, vars)}` : `edit ${fill(step.edit.file, vars)}`;
  return `restart ${step.restart}`;
}

function varsFile(stateDir: string, lab: string): string {
  return join(stateDir, "labs", lab, "vars.json");
}

function loadSaved(file: string): Record<string, string> {
  try {
    return JSON.parse(readFileSync(file, "utf8")) as Record<string, string>;
  } catch {
    return {};
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function onPath(program: string): boolean {
  return (process.env.PATH ?? "").split(delimiter).some((d) => d && existsSync(join(d, program)));
}

/** Run one attempt of a step's action. */
async function act(step: Step, vars: Vars, ctx: StepContext): Promise<Outcome & { requestId?: string }> {
  if (step.os) return runOs(fillArgs(step.os, vars), ctx);
  if (step.shell) return runShell(fill(step.shell, vars), ctx);
  if (step.http) return runHttp(fillDeep(step.http, vars), ctx);
  if (step.edit) return runEdit(fillDeep(step.edit, vars), ctx);
  return runRestart(fill(step.restart ?? "", vars), ctx);
}

/** Run a lab against the cloud in `opts.stateDir` (which must be up), reporting as it goes. */
export async function runLab(lab: LoadedLab, opts: RunOptions): Promise<LabResult> {
  const stateDir = opts.stateDir;
  const workDir = join(stateDir, "labs", lab.name);
  mkdirSync(workDir, { recursive: true });
  const savedFile = varsFile(stateDir, lab.name);
  const saved: Record<string, string> = opts.only ? loadSaved(savedFile) : {};
  // A full run picks the lab's ports afresh, just before the first step that uses one (a port picked
  // long before its server starts may be taken meanwhile), and saves them for `--step N`.
  const ports = lab.ports ?? [];
  const needPorts = async (step: Step) => {
    if (!ports.some((p) => saved[`port.${p}`] === undefined) || !JSON.stringify(step).includes("{{port.")) return;
    Object.assign(saved, await pickPorts(ports));
    writeFileSync(savedFile, JSON.stringify(saved, null, 2));
  };
  const driver = cloudDriver(stateDir);
  const builtins: Vars = {
    state: stateDir,
    work: workDir,
    driver,
    set_flags: (opts.overrides ?? []).flatMap((s) => ["--set", s]),
  };
  try {
    builtins.auth_url = resolveAuth({ stateDir, env: {}, cloud: undefined }).auth.auth_url;
  } catch {
    // no profile yet: steps that use {{auth_url}} say so when they run
  }
  const vars = (): Vars => ({ ...builtins, ...(lab.vars ?? {}), ...saved });
  const result: LabResult = { lab: lab.name, steps: [], cleanup: [], ok: true };
  opts.reporter.start(lab, { stateDir, driver, only: opts.only });

  const runStep = async (step: Step, index: number, total: number, phase: "step" | "cleanup"): Promise<StepResult> => {
    const base: StepResult = { index, phase, title: step.title, status: "passed", failures: [], attempts: 0, ms: 0, saved: {} };
    const passed = (n: number) => result.steps.find((s) => s.index === n)?.status === "passed";
    const w = step.when ?? {};
    const skipReason =
      w.driver && w.driver !== driver
        ? `needs the ${w.driver} driver (this cloud: ${driver})`
        : w.passed !== undefined && !passed(w.passed)
          ? `step ${w.passed} did not pass`
          : w.not_passed !== undefined && passed(w.not_passed)
            ? `step ${w.not_passed} passed`
            : w.command && !onPath(w.command)
              ? `${w.command} is not installed`
              : undefined;
    if (skipReason) {
      opts.reporter.step(index, total, phase, step, "");
      return { ...base, status: "skipped", reason: skipReason };
    }
    let command: string;
    let env: NodeJS.ProcessEnv;
    try {
      await needPorts(step);
      command = describe(step, vars());
      env = stepEnvironment(
        stateDir,
        workDir,
        fillDeep(Object.fromEntries(Object.entries(step.env ?? {}).map(([k, v]) => [k, String(v)])), vars()),
      );
    } catch (err) {
      opts.reporter.step(index, total, phase, step, "");
      return { ...base, status: "failed", failures: [(err as Error).message] };
    }
    opts.reporter.step(index, total, phase, step, command);
    const ctx: StepContext = { stateDir, workDir, env, timeoutMs: (step.timeout ?? opts.stepTimeout ?? DEFAULT_TIMEOUT_S) * 1000 };
    const started = Date.now();
    const deadline = started + (step.retry?.timeout ?? 0) * 1000;
    let out: Outcome & { requestId?: string };
    let failures: string[];
    let attempts = 0;
    let from: number;
    for (;;) {
      attempts++;
      from = Date.now();
      out = await act(step, vars(), ctx);
      let expect = step.expect;
      try {
        expect = fillDeep(step.expect, vars());
      } catch (err) {
        failures = [(err as Error).message];
        break;
      }
      failures = check(expect, out);
      if (failures.length === 0 || !step.retry || Date.now() + (step.retry.interval ?? 2) * 1000 > deadline) break;
      await sleep((step.retry.interval ?? 2) * 1000);
    }
    const to = Date.now();
    const r: StepResult = {
      ...base,
      attempts,
      ms: to - started,
      output: [out.stdout, out.stderr].filter((s) => s.trim() !== "").join("\n"),
    };
    if (failures.length === 0) {
      const { values, failures: missing } = extract(step.save, out);
      failures = missing;
      Object.assign(saved, values);
      r.saved = values;
      if (Object.keys(values).length > 0) writeFileSync(savedFile, JSON.stringify(saved, null, 2));
    }
    if (failures.length === 0 && step.trace) {
      const spec: TraceSpec = step.trace === true ? {} : step.trace;
      const t = await stepTrace(stateDir, { from, to, requestId: out.requestId }, spec);
      if ("error" in t) failures = [t.error];
      else {
        r.trace = t;
        if (t.missing.length > 0) failures = [`the trace of ${t.requestId} has no span ${t.missing.map((n) => `'${n}'`).join(", ")}`];
      }
    }
    r.failures = failures;
    r.status = failures.length === 0 ? "passed" : "failed";
    return r;
  };

  const total = lab.steps.length;
  let stopped = false;
  for (const [i, step] of lab.steps.entries()) {
    const index = i + 1;
    const skip = (reason: string): StepResult => ({
      index,
      phase: "step",
      title: step.title,
      status: "not run",
      failures: [],
      reason,
      attempts: 0,
      ms: 0,
      saved: {},
    });
    if (opts.only !== undefined && index !== opts.only) continue;
    if (stopped) {
      result.steps.push(skip("an earlier step failed or the run was stopped"));
      continue;
    }
    if (opts.beforeStep && (await opts.beforeStep(index, total, step)) === "quit") {
      stopped = true;
      result.steps.push(skip("stopped before this step"));
      continue;
    }
    const r = await runStep(step, index, total, "step");
    result.steps.push(r);
    opts.reporter.result(step, r);
    if (r.status === "failed" && !opts.keepGoing) stopped = true;
  }
  if (opts.only === undefined) {
    for (const [i, step] of (lab.cleanup ?? []).entries()) {
      const r = await runStep(step, i + 1, lab.cleanup?.length ?? 0, "cleanup");
      result.cleanup.push(r);
      opts.reporter.result(step, r);
    }
  }
  const all = [...result.steps, ...result.cleanup];
  result.firstFailure = all.find((s) => s.status === "failed");
  result.ok = !result.firstFailure && !result.steps.some((s) => s.status === "not run") && result.steps.length > 0;
  opts.reporter.summary(result);
  return result;
}

/** Values the last run of a lab saved (for `--step N`), or {} when it has not run. */
export function savedValues(stateDir: string, lab: string): Record<string, string> {
  const f = varsFile(stateDir, lab);
  return existsSync(f) ? loadSaved(f) : {};
}
