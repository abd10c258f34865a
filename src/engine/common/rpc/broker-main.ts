import { handleLifecycle, notifyReady } from "../../cloud/ready.js";
import { log } from "../log.js";
import { startService } from "../service.js";
import { Broker } from "./broker.js";

/**
 * The bus process of cell1 (`node dist/engine/common/rpc/broker-main.js [--url zmq://HOST:PORT]`):
 * binds the broker at [DEFAULT] transport_url (or --url), then tells the supervisor it is ready.
 */
function argValue(flag: string): string | undefined {
  const i = process.argv.indexOf(flag);
  if (i >= 0) return process.argv[i + 1];
  const eq = process.argv.find((a) => a.startsWith(`${flag}=`));
  return eq?.slice(flag.length + 1);
}

async function main(): Promise<void> {
  const runtime = startService("bus-cell1");
  const url = argValue("--url") ?? runtime.config.str("DEFAULT", "transport_url");
  const broker = new Broker();
  try {
    await broker.bind(url);
  } catch (err) {
    log.error(`cannot bind the message bus at ${url}: ${(err as Error).message}`);
    process.exit(1);
  }
  log.info(`message bus listening on ${broker.transportUrl}`);
  notifyReady({ url: broker.transportUrl });
  // One line on stdout for whoever started us by hand or in a test (the bound port when --url ends in :0).
  process.stdout.write(`${JSON.stringify({ ready: true, url: broker.transportUrl, pid: process.pid })}\n`);
  handleLifecycle(async () => {
    await broker.close();
    await runtime.close();
  });
}

void main();
