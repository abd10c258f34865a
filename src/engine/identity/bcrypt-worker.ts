// bcrypt checks off the API's event loop: at Keystone's default cost (12) one check is ~0.3 s of CPU in
// JavaScript, and bcryptjs's own async mode only yields every 100 ms. One worker thread does the checks,
// in order, so token validation on the main thread never waits behind a password.
import { createRequire } from "node:module";
import { Worker } from "node:worker_threads";

// The worker's code is plain CommonJS given inline, so it runs the same from dist/ and under tsx.
const WORKER_SOURCE = `
const { parentPort, workerData } = require("node:worker_threads");
const bcrypt = require(workerData.bcryptPath);
parentPort.on("message", ({ id, password, hash }) => {
  let ok = false;
  try { ok = bcrypt.compareSync(password, hash); } catch { ok = false; }
  parentPort.postMessage({ id, ok });
});
`;

let worker: Worker | undefined;
let seq = 0;
const waiting = new Map<number, { resolve: (ok: boolean) => void; reject: (e: Error) => void }>();

function start(): Worker {
  const bcryptPath = createRequire(import.meta.url).resolve("bcryptjs");
  const w = new Worker(WORKER_SOURCE, { eval: true, workerData: { bcryptPath } });
  w.unref(); // an idle checker must not keep a process alive
  w.on("message", ({ id, ok }: { id: number; ok: boolean }) => {
    waiting.get(id)?.resolve(ok);
    waiting.delete(id);
  });
  w.on("error", (e) => {
    for (const p of waiting.values()) p.reject(e);
    waiting.clear();
    worker = undefined;
  });
  w.on("exit", () => {
    for (const p of waiting.values()) p.reject(new Error("password check worker exited"));
    waiting.clear();
    worker = undefined;
  });
  return w;
}

/** bcrypt.compareSync(password, hash), run on the worker thread. */
export function bcryptCompareOffThread(password: string, hash: string): Promise<boolean> {
  worker ??= start();
  const id = ++seq;
  const w = worker;
  return new Promise((resolve, reject) => {
    waiting.set(id, { resolve, reject });
    w.ref(); // keep the process up while a check is in flight
    w.postMessage({ id, password, hash });
  }).finally(() => {
    if (waiting.size === 0) worker?.unref();
  }) as Promise<boolean>;
}
