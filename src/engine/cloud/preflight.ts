import { accessSync, constants, existsSync, mkdirSync } from "node:fs";
import { createServer } from "node:net";
import { delimiter, join } from "node:path";
import type { Layout } from "../common/paths.js";
import type { ServiceSpec } from "./services.js";

/** Where a port's option lives, so the error can say how to move it. */
const PORT_OPTION: Record<string, string> = {
  "bus-cell1": "DEFAULT.transport_url=zmq://127.0.0.1:<port>",
  "trace-collector": "trace.collector_url=zmq://127.0.0.1:<port>",
  keystone: "api.keystone_port=<port>",
  glance: "api.glance_port=<port>",
  placement: "api.placement_port=<port>",
  "nova-api": "api.compute_port=<port>",
  "nova-novncproxy": "vnc.novncproxy_port=<port>",
};

function portFree(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.once("error", () => resolve(false));
    srv.listen(port, host, () => srv.close(() => resolve(true)));
  });
}

/** The state dir and its run/ and logs/ exist and can be written, or one line saying what to do. */
export function ensureStateDir(l: Layout): void {
  try {
    mkdirSync(l.run, { recursive: true });
    mkdirSync(l.logs, { recursive: true });
    accessSync(l.root, constants.W_OK);
  } catch (err) {
    const why = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
    throw new Error(`the state directory ${l.root} is not writable (${why}): choose another with --state-dir or POCKETSTACK_HOME`);
  }
}

/** A program name is looked up on PATH; a path must exist. */
function installed(program: string): boolean {
  if (program.includes("/")) return existsSync(program);
  return (process.env.PATH ?? "").split(delimiter).some((d) => d && existsSync(join(d, program)));
}

/**
 * Before a first start: the state dir must be writable, every port free, and QEMU installed when a
 * compute node asks for the qemu driver. Each problem is one line that says what to do, instead of a
 * unit that crashes in a loop until `cloud up` times out.
 */
export async function preflight(l: Layout, specs: ServiceSpec[], host: string, emulator = "qemu-system-x86_64"): Promise<void> {
  ensureStateDir(l);
  const qemuNodes = specs.filter((s) => s.args?.includes("--driver") && s.args[s.args.indexOf("--driver") + 1] === "qemu");
  const missing = [emulator, "qemu-img"].filter((p) => !installed(p));
  if (qemuNodes.length > 0 && missing.length > 0)
    throw new Error(
      `the qemu driver needs ${missing.join(" and ")}, which ${missing.length > 1 ? "are" : "is"} not installed: apt-get install qemu-system-x86 qemu-utils (or bring the cloud up with --driver fake)`,
    );
  for (const spec of specs) {
    const port = spec.port ?? spec.tcpPort;
    if (!port || (await portFree(host, port))) continue;
    const how = PORT_OPTION[spec.name]?.replace("<port>", "…");
    throw new Error(
      `port ${port} (${spec.name}) is already in use on ${host}: stop what uses it${how ? `, or move ${spec.name} with --set ${how}` : ""}`,
    );
  }
}
