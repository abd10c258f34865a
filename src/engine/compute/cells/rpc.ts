import { RpcClient } from "../../common/rpc/index.js";
import type { CellMapping } from "./mappings.js";

/** Versions of the RPC APIs as docs/nova-rpc.md states them. */
export const RPC_VERSION = { conductor: "3.0", scheduler: "4.5", compute: "6.0" } as const;

/** One RpcClient per message bus (each cell has its own), shared by everything in this process. */
export class CellBuses {
  private readonly clients = new Map<string, RpcClient>();
  constructor(private readonly timeoutMs: number) {}

  forUrl(transportUrl: string): RpcClient {
    let c = this.clients.get(transportUrl);
    if (!c) {
      c = new RpcClient(transportUrl, { timeoutMs: this.timeoutMs });
      this.clients.set(transportUrl, c);
    }
    return c;
  }

  forCell(cell: CellMapping): RpcClient {
    if (cell.transport_url.startsWith("none:")) throw new Error(`cell ${cell.name ?? cell.uuid} has no message bus`);
    return this.forUrl(cell.transport_url);
  }

  close(): void {
    for (const c of this.clients.values()) c.close();
    this.clients.clear();
  }
}
