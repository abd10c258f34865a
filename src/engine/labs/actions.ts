import { execFile } from "node:child_process";
import { copyFileSync, existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { isAbsolute, join } from "node:path";
import { fileURLToPath } from "node:url";
import { Session } from "../../client/session.js";
import { Transport } from "../../client/transport.js";
import { layout } from "../common/paths.js";
import { isAlive, readState } from "../cloud/state.js";
import type { Outcome } from "./expect.js";
import type { EditSpec, HttpSpec } from "./schema.js";

/** Where a step runs: the cloud's state dir, a scratch dir, and the environment its commands see. */
export interface StepContext {
  stateDir: string;
  workDir: string;
  env: NodeJS.ProcessEnv;
  timeoutMs: number;
}

// bin/run.js (compiled, as users run it) or bin/dev.js through tsx when this module runs from source.
const packageBin = fileURLToPath(new URL("../../../bin/", import.meta.url));
const fromSource = import.meta.url.endsWith(".ts");

/** The argv that runs our CLI, `os`, as a separate process (no state leaks between steps). */
export function osCommand(): string[] {
  // tsx by absolute URL: steps run in the lab's scratch dir, where a bare "tsx" does not resolve.
  return fromSource ? ["--import", import.meta.resolve("tsx"), join(packageBin, "dev.js")] : [join(packageBin, "run.js")];
}

function run(file: string, args: string[], ctx: StepContext): Promise<Outcome> {
  return new Promise((resolve) => {
    execFile(
      file,
      args,
      { cwd: ctx.workDir, env: ctx.env, timeout: ctx.timeoutMs, maxBuffer: 64 * 1024 * 1024, killSignal: "SIGTERM" },
      (err, stdout, stderr) => {
        const e = err as (NodeJS.ErrnoException & { killed?: boolean; code?: number | string }) | null;
        if (e?.killed) return resolve({ stdout, stderr, error: `stopped after ${ctx.timeoutMs / 1000} s without finishing` });
        if (e && typeof e.code === "string") return resolve({ stdout, stderr, error: `could not run ${file}: ${e.code}` });
        resolve({ exit: e ? Number(e.code ?? 1) : 0, stdout, stderr });
      },
    );
  });
}

export function runOs(args: string[], ctx: StepContext): Promise<Outcome> {
  return run(process.execPath, [...osCommand(), ...args], ctx);
}

export function runShell(command: string, ctx: StepContext): Promise<Outcome> {
  return run("bash", ["-c", command], ctx);
}

/** One HTTP request with the admin profile's token (or the OS_* of the step's env), status and all. */
export async function runHttp(spec: HttpSpec, ctx: StepContext): Promise<Outcome & { requestId?: string }> {
  const session = Session.fromEnvironment({ env: ctx.env, stateDir: ctx.stateDir, cache: false });
  const transport = new Transport({ timeoutMs: ctx.timeoutMs });
  try {
    const base = spec.url ? spec.url.replace(/\/+$/, "") : await session.endpointFor(spec.service ?? "identity");
    const headers: Record<string, string> = { accept: "application/json", "user-agent": "pocketstack-lab" };
    let body: string | undefined;
    if (spec.body !== undefined) {
      body = typeof spec.body === "string" ? spec.body : JSON.stringify(spec.body);
      headers["content-type"] = "application/json";
    }
    if (spec.microversion) headers["openstack-api-version"] = `${spec.service ?? "compute"} ${spec.microversion}`;
    if (spec.auth !== false) headers["x-auth-token"] = await session.token();
    Object.assign(headers, spec.headers ?? {});
    const res = await transport.send(spec.method, base + spec.path, headers, body);
    const rid = res.headers["x-openstack-request-id"] ?? res.headers["x-compute-request-id"];
    let text = res.body.toString("utf8");
    try {
      text = JSON.stringify(JSON.parse(text), null, 2);
    } catch {
      // not JSON: show it as it came
    }
    return { status: res.status, headers: res.headers, stdout: text, stderr: "", requestId: typeof rid === "string" ? rid : undefined };
  } catch (err) {
    return { stdout: "", stderr: "", error: (err as Error).message.split("\n")[0] };
  } finally {
    transport.close();
    session.close();
  }
}

export const editTarget = (spec: EditSpec, ctx: StepContext): string => (isAbsolute(spec.file) ? spec.file : join(ctx.stateDir, spec.file));
const backupOf = (file: string) => `${file}.lab-orig`;

/** Replace exact text in a file (keeping a copy of the original once), or put the original back. */
export function runEdit(spec: EditSpec, ctx: StepContext): Outcome {
  const file = editTarget(spec, ctx);
  const backup = backupOf(file);
  if (spec.restore) {
    if (!existsSync(backup)) return { exit: 0, stdout: `${file} was not changed by a lab; nothing to restore`, stderr: "" };
    copyFileSync(backup, file);
    rmSync(backup);
    return { exit: 0, stdout: `${file} restored`, stderr: "" };
  }
  if (!existsSync(file)) return { stdout: "", stderr: "", error: `${file} does not exist` };
  const text = readFileSync(file, "utf8");
  const find = spec.replace ?? "";
  if (!text.includes(find)) return { stdout: "", stderr: "", error: `${file} has no text ${JSON.stringify(find)} to replace` };
  if (!existsSync(backup)) copyFileSync(file, backup);
  writeFileSync(file, text.replace(find, spec.with ?? ""));
  return { exit: 0, stdout: `${file}:\n- ${find.split("\n").join("\n- ")}\n+ ${(spec.with ?? "").split("\n").join("\n+ ")}`, stderr: "" };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Restart one unit of the cloud the way systemd's Restart=always would: stop its process (SIGTERM)
 * and wait until the supervisor has started a new one that answers. Our CLI has no single-service
 * restart yet, so this is the honest equivalent of `systemctl restart <unit>`.
 */
export async function runRestart(unit: string, ctx: StepContext): Promise<Outcome> {
  const l = layout(ctx.stateDir);
  const state = readState(l.supervisorState);
  const before = state?.units.find((u) => u.name === unit);
  if (!before) return { stdout: "", stderr: "", error: `no unit named '${unit}' in ${l.supervisorState} (see os cloud status)` };
  if (!before.pid || !isAlive(before.pid)) return { stdout: "", stderr: "", error: `${unit} is not running (state ${before.state})` };
  const oldPid = before.pid;
  process.kill(oldPid, "SIGTERM");
  const deadline = Date.now() + ctx.timeoutMs;
  while (Date.now() < deadline) {
    await sleep(250);
    const now = readState(l.supervisorState)?.units.find((u) => u.name === unit);
    if (now?.state !== "running" || !now.pid || now.pid === oldPid || !isAlive(now.pid)) continue;
    if (now.port && !(await answers(now.port))) continue;
    return {
      exit: 0,
      stdout: `${unit}: pid ${oldPid} stopped; the supervisor started pid ${now.pid}${now.port ? `, answering on port ${now.port}` : ""}`,
      stderr: "",
    };
  }
  return { stdout: "", stderr: "", error: `${unit} did not come back within ${ctx.timeoutMs / 1000} s (see os cloud logs ${unit})` };
}

async function answers(port: number): Promise<boolean> {
  const t = new Transport({ timeoutMs: 2000 });
  try {
    const r = await t.send("GET", `http://127.0.0.1:${port}/`, {}, undefined);
    return r.status < 500;
  } catch {
    return false;
  } finally {
    t.close();
  }
}
