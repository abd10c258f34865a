import { Agent, request } from "node:http";
import { spawnPeer } from "../peer.js";
import { type Budget, sample } from "../row.js";

/** Sequential GETs over one keep-alive connection to an http-server peer in the given mode. */
export async function httpRoundTrips(mode: "bare" | "pipeline", budget: Budget): Promise<number[]> {
  const peer = await spawnPeer("bench/peers/http-server", [mode]);
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const port = Number(peer.ready.port);
  const get = () =>
    new Promise<void>((resolve, reject) => {
      const req = request({ host: "127.0.0.1", port, path: "/v2.1", agent }, (res) => {
        if (res.statusCode !== 200) reject(new Error(`${mode} server answered ${res.statusCode}`));
        res.resume();
        res.on("end", resolve);
      });
      req.on("error", reject);
      req.end();
    });
  try {
    return await sample(budget, get);
  } finally {
    agent.destroy();
    await peer.stop();
  }
}
