import { createSocket } from "node:dgram";

/**
 * The address of this host on the interface that reaches `host` (what a compute node on another machine
 * must advertise so the controller can connect back to it). Connecting a UDP socket only asks the kernel
 * for a route: no packet is sent.
 */
export function localAddressToward(host: string, port: number): Promise<string> {
  const bare = host.replace(/^\[(.*)\]$/, "$1");
  const sock = createSocket(bare.includes(":") ? "udp6" : "udp4");
  return new Promise<string>((resolve, reject) => {
    sock.once("error", (err) => {
      sock.close();
      reject(err);
    });
    sock.connect(port, bare, () => {
      const { address } = sock.address();
      sock.close();
      resolve(address);
    });
  });
}

/** "tcp://HOST:PORT" -> { host, port }; undefined for ipc:// and inproc:// (no direct path there). */
export function tcpHostPort(endpoint: string): { host: string; port: number } | undefined {
  const m = /^tcp:\/\/(\[[0-9a-fA-F:.]+\]|[^:/]+):(\d+)$/.exec(endpoint);
  return m ? { host: m[1] as string, port: Number(m[2]) } : undefined;
}
