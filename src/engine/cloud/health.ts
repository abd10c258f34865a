import { readFileSync } from "node:fs";
import { request } from "node:http";
import { request as httpsRequest } from "node:https";
import { connect } from "node:net";
import type { ServiceSpec } from "./services.js";

/** The client certificate the checks present to services that require one ([ssl] verify_client). */
export interface HealthClientCert {
  certFile: string;
  keyFile: string;
}

/** HTTP services answer GET / (version discovery) with < 500; others accept a TCP connection. */
export async function healthCheck(
  spec: ServiceSpec,
  host: string,
  timeoutMs = 2000,
  caFile?: string,
  client?: HealthClientCert,
): Promise<boolean> {
  if (spec.transportUrl) {
    // Loaded lazily: `os cloud status` and friends should not pay for zeromq at start-up.
    const { pingBroker } = await import("../common/rpc/client.js");
    return pingBroker(spec.transportUrl, timeoutMs);
  }
  return new Promise((resolve) => {
    if (spec.port) {
      // With TLS on, every API and the console proxy answer HTTPS only.
      const tls = caFile !== undefined;
      const send = tls ? httpsRequest : request;
      const secure = tls
        ? { ca: readFileSync(caFile), ...(client ? { cert: readFileSync(client.certFile), key: readFileSync(client.keyFile) } : {}) }
        : {};
      const req = send({ host, port: spec.port, path: "/", method: "GET", timeout: timeoutMs, ...secure }, (res) => {
        res.resume();
        resolve((res.statusCode ?? 500) < 500);
      });
      req.on("error", () => resolve(false));
      req.on("timeout", () => req.destroy());
      req.end();
      return;
    }
    if (spec.tcpPort) {
      const sock = connect({ host, port: spec.tcpPort, timeout: timeoutMs });
      sock.on("connect", () => {
        sock.destroy();
        resolve(true);
      });
      sock.on("error", () => resolve(false));
      sock.on("timeout", () => {
        sock.destroy();
        resolve(false);
      });
      return;
    }
    resolve(true);
  });
}
