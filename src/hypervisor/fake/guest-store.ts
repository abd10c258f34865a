// The fake hypervisor's memory, kept in a file so guests outlive a restart of nova-compute the way
// libvirt domains do (the worker then finds them again, as Nova's _init_instance expects).
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import type { FakeGuest } from "./guest.js";

export class GuestStore {
  readonly guests = new Map<string, FakeGuest>();

  constructor(private readonly file: string) {}

  load(): void {
    if (!existsSync(this.file)) return;
    const list = JSON.parse(readFileSync(this.file, "utf8")) as FakeGuest[];
    this.guests.clear();
    for (const g of list) this.guests.set(g.uuid, g);
  }

  /** Write the whole list atomically (rename), so a kill -9 never leaves half a file. */
  save(): void {
    mkdirSync(dirname(this.file), { recursive: true });
    const tmp = `${this.file}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify([...this.guests.values()]));
    renameSync(tmp, this.file);
  }
}
