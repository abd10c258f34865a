// Headless Chromium (Debian's `chromium` package) driven over the DevTools protocol with the `ws` package:
// open a page, wait until a script expression says it is ready (noVNC connected and drew the guest's
// screen), take a screenshot. `--screenshot` with a virtual-time budget is not enough here: virtual time
// runs ahead while the page waits on the network, so on a busy host the shot came before noVNC connected.
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { join } from "node:path";
import WebSocket from "ws";
import { hasCommand } from "../hypervisor/qemu/helpers.js";

export const CHROMIUM = ["chromium", "chromium-browser", "google-chrome"].find(hasCommand);

const FLAGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--window-size=1024,768",
  "--remote-debugging-port=0",
  "--remote-debugging-address=127.0.0.1",
];

export interface PageShot {
  png: Buffer;
  /** the value of the `readyWhen` expression at the time of the shot */
  state: string;
}

/** A minimal DevTools client: numbered calls, answers matched by id, one flat session per page. */
class Cdp {
  private next = 1;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  constructor(private readonly ws: WebSocket) {
    ws.on("message", (data: Buffer) => {
      const msg = JSON.parse(data.toString()) as { id?: number; result?: unknown; error?: { message: string } };
      const p = msg.id === undefined ? undefined : this.pending.get(msg.id);
      if (!p || msg.id === undefined) return;
      this.pending.delete(msg.id);
      if (msg.error) p.reject(new Error(msg.error.message));
      else p.resolve(msg.result);
    });
  }
  send<T = unknown>(method: string, params: Record<string, unknown> = {}, sessionId?: string): Promise<T> {
    const id = this.next++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.ws.send(JSON.stringify({ id, method, params, ...(sessionId ? { sessionId } : {}) }));
    });
  }
}

function devtoolsUrl(child: ChildProcess, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    let err = "";
    const timer = setTimeout(() => reject(new Error(`chromium printed no DevTools address: ${err.slice(-500)}`)), timeoutMs);
    child.stderr?.on("data", (d: Buffer) => {
      err += d.toString();
      const m = /DevTools listening on (ws:\/\/\S+)/.exec(err);
      if (m) {
        clearTimeout(timer);
        resolve(m[1] as string);
      }
    });
    child.once("exit", (code) => reject(new Error(`chromium exited (${code}): ${err.slice(-500)}`)));
  });
}

/**
 * Open `url` in a fresh profile and headless Chromium, wait until `readyWhen` (a JS expression in the
 * page) is truthy or `waitMs` passes, let the page paint `settleMs` more, and screenshot it. The browser
 * runs in its own process group, which is killed afterwards.
 */
export async function screenshot(
  url: string,
  workDir: string,
  readyWhen: string,
  opts: { waitMs?: number; settleMs?: number; stateOf?: string } = {},
): Promise<PageShot> {
  if (!CHROMIUM) throw new Error("no chromium on PATH (apt-get install -y --no-install-recommends chromium)");
  const profile = mkdtempSync(join(workDir, "chromium-profile-"));
  const child = spawn(CHROMIUM, [...FLAGS, `--user-data-dir=${profile}`, "about:blank"], {
    stdio: ["ignore", "ignore", "pipe"],
    detached: true,
  });
  let ws: WebSocket | undefined;
  try {
    ws = new WebSocket(await devtoolsUrl(child, 60_000), { perMessageDeflate: false });
    await new Promise((resolve, reject) => {
      ws?.once("open", resolve);
      ws?.once("error", reject);
    });
    const cdp = new Cdp(ws);
    const { targetId } = await cdp.send<{ targetId: string }>("Target.createTarget", { url: "about:blank" });
    const { sessionId } = await cdp.send<{ sessionId: string }>("Target.attachToTarget", { targetId, flatten: true });
    await cdp.send("Page.enable", {}, sessionId);
    await cdp.send("Page.navigate", { url }, sessionId);
    const evaluate = async (expr: string) =>
      (await cdp.send<{ result: { value?: unknown } }>("Runtime.evaluate", { expression: expr, returnByValue: true }, sessionId)).result
        .value;
    const deadline = Date.now() + (opts.waitMs ?? 60_000);
    while (Date.now() < deadline && !(await evaluate(`Boolean(${readyWhen})`).catch(() => false)))
      await new Promise((r) => setTimeout(r, 250));
    await new Promise((r) => setTimeout(r, opts.settleMs ?? 1500));
    const state = String((await evaluate(opts.stateOf ?? readyWhen).catch(() => "")) ?? "");
    const { data } = await cdp.send<{ data: string }>("Page.captureScreenshot", { format: "png" }, sessionId);
    await cdp.send("Browser.close").catch(() => undefined);
    return { png: Buffer.from(data, "base64"), state };
  } finally {
    ws?.terminate();
    if (child.exitCode === null && child.signalCode === null && child.pid) {
      const exited = new Promise((r) => child.once("exit", r));
      try {
        process.kill(-child.pid, "SIGKILL");
      } catch {
        /* gone */
      }
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
    }
    rmSync(profile, { recursive: true, force: true });
  }
}
