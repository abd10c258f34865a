import { createServer } from "node:net";

/** Can we bind host:port right now? (QEMU exits at start when a VNC or hostfwd port is taken.) */
export function portIsFree(port: number, host = "127.0.0.1"): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.once("error", () => resolve(false));
    srv.listen({ port, host, exclusive: true }, () => srv.close(() => resolve(true)));
  });
}

/** A port the OS says is free now (listen on 0), not in `taken`. */
export async function freeTcpPort(taken: Set<number>, host = "127.0.0.1"): Promise<number> {
  for (let i = 0; i < 50; i++) {
    const port = await new Promise<number>((resolve, reject) => {
      const srv = createServer();
      srv.once("error", reject);
      srv.listen({ port: 0, host }, () => {
        const addr = srv.address();
        const p = typeof addr === "object" && addr ? addr.port : 0;
        srv.close(() => resolve(p));
      });
    });
    if (!taken.has(port)) return port;
  }
  throw new Error("no free TCP port found");
}

/**
 * A VNC port 5900+N (QEMU's -vnc takes a display number). Display 0 is skipped: a QEMU started
 * without `-display none` on a host without GUI modules grabs :5900 by itself.
 */
export async function freeVncPort(taken: Set<number>, host = "127.0.0.1", first = 5901, last = 5999): Promise<number> {
  for (let port = first; port <= last; port++) {
    if (taken.has(port)) continue;
    if (await portIsFree(port, host)) return port;
  }
  throw new Error(`no free VNC display between ${first - 5900} and ${last - 5900}`);
}

/** QEMU's start-up complaint when a port was taken between our probe and its bind. */
export const PORT_CLASH = /Address already in use|Could not set up host forwarding rule|Failed to find an available port/i;
