import { type Command, Flags } from "@oclif/core";
import { ClientCommand } from "../../cli/client-command.js";
import { type DirectFlags, ImageClient } from "./cli-client.js";

/**
 * Base of the `os image …` commands: the shared ClientCommand (output and --os-* flags, Keystone
 * session) plus keystoneauth's admin_token style (--os-auth-type admin_token/none with --os-endpoint),
 * which reaches a glance running without Keystone (auth_strategy=noauth2).
 */
export abstract class ImageCommand<T extends typeof Command> extends ClientCommand<T> {
  static override baseFlags = {
    ...ClientCommand.baseFlags,
    "os-auth-type": Flags.string({
      helpGroup: "GLOBAL",
      summary: "Authentication type: password, token, or admin_token/none with --os-endpoint (Env: OS_AUTH_TYPE)",
    }),
    "os-endpoint": Flags.string({ helpGroup: "GLOBAL", summary: "Image API endpoint to use instead of the catalog's (Env: OS_ENDPOINT)" }),
  };
  private imageClient?: ImageClient;

  protected get images(): ImageClient {
    this.imageClient ??= ImageClient.forCommand(this.flags as unknown as DirectFlags, () => this.session());
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

type Visibility = "public" | "private" | "community" | "shared";
const others = (v: Visibility) => (["public", "private", "community", "shared"] as const).filter((o) => o !== v);

/** --public/--private/--community/--shared, which exclude each other. */
export const visibilityFlags = (summaries: Record<Visibility, string>) => ({
  public: Flags.boolean({ summary: summaries.public, exclusive: others("public") }),
  private: Flags.boolean({ summary: summaries.private, exclusive: others("private") }),
  community: Flags.boolean({ summary: summaries.community, exclusive: others("community") }),
  shared: Flags.boolean({ summary: summaries.shared, exclusive: others("shared") }),
});

/**
 * What `image create` and `image set` both take, with the openstack client's help texts: sizes,
 * protection, visibility, properties, tags and the owning project.
 */
export const imageAttributeFlags = () => ({
  "min-disk": Flags.integer({ summary: "Minimum disk size needed to boot image, in gigabytes" }),
  "min-ram": Flags.integer({ summary: "Minimum RAM size needed to boot image, in megabytes" }),
  protected: Flags.boolean({ summary: "Prevent image from being deleted", exclusive: ["unprotected"] }),
  unprotected: Flags.boolean({ summary: "Allow image to be deleted (default)" }),
  ...visibilityFlags({
    public: "Image is accessible to the public",
    private: "Image is inaccessible to the public (default)",
    community: "Image is accessible to the community",
    shared: "Image can be shared",
  }),
  property: Flags.string({
    summary: "Set a property on this image (repeat option to set multiple properties)",
    multiple: true,
    multipleNonGreedy: true,
  }),
  tag: Flags.string({ summary: "Set a tag on this image (repeat option to set multiple tags)", multiple: true, multipleNonGreedy: true }),
  project: Flags.string({ summary: "Set an alternate project on this image (ID)" }),
});

/** The visibility those flags ask for, if any. */
export function visibilityOf(flags: { public?: boolean; private?: boolean; community?: boolean; shared?: boolean }): string | undefined {
  return flags.public ? "public" : flags.private ? "private" : flags.community ? "community" : flags.shared ? "shared" : undefined;
}
