import type { Command } from "@oclif/core";
import { BaseCommand } from "../../cli/base-command.js";
import { ImageClient, type ImageClientFlags, imageClientFlags } from "./cli-client.js";

/**
 * Base of the `os image …` commands: the output flags of BaseCommand plus the openstack auth flags,
 * and an ImageClient built from them (closed after the command runs).
 */
export abstract class ImageCommand<T extends typeof Command> extends BaseCommand<T> {
  static override baseFlags = { ...BaseCommand.baseFlags, ...imageClientFlags };
  private imageClient?: ImageClient;

  protected get images(): ImageClient {
    this.imageClient ??= ImageClient.fromFlags(this.flags as unknown as ImageClientFlags);
    return this.imageClient;
  }

  protected override async finally(err: Error | undefined): Promise<unknown> {
    this.imageClient?.close();
    return super.finally(err);
  }
}

/** `--property k=v` (repeatable) as a dict, refusing anything without '='. */
export function parseProperties(list: string[] | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const item of list ?? []) {
    const eq = item.indexOf("=");
    if (eq <= 0) throw new Error(`Invalid property '${item}': expected <key>=<value>`);
    out[item.slice(0, eq)] = item.slice(eq + 1);
  }
  return out;
}

/** --public/--private/--community/--shared as a visibility (last one wins is not allowed: they exclude each other). */
export function visibilityOf(flags: { public?: boolean; private?: boolean; community?: boolean; shared?: boolean }): string | undefined {
  return flags.public ? "public" : flags.private ? "private" : flags.community ? "community" : flags.shared ? "shared" : undefined;
}
