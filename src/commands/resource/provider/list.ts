import { Flags } from "@oclif/core";
import { NESTED_PROVIDER_FIELDS, PROVIDER_FIELDS, PlacementCommand, pick, requiredQueryParams } from "../../../cli/placement-command.js";

export default class ResourceProviderList extends PlacementCommand<typeof ResourceProviderList> {
  static override summary = "List resource providers";
  static override flags = {
    uuid: Flags.string({ summary: "UUID of the resource provider" }),
    name: Flags.string({ summary: "Name of the resource provider" }),
    resource: Flags.string({
      multiple: true,
      multipleNonGreedy: true,
      summary:
        "A resource class value pair (<resource_class>=<value>) a provider must have the capacity to serve. May be repeated. Requires --os-placement-api-version 1.4.",
    }),
    "in-tree": Flags.string({ summary: 'Restrict listing to the same "provider tree" as the specified provider UUID. Requires 1.14.' }),
    required: Flags.string({
      multiple: true,
      multipleNonGreedy: true,
      summary: "A required trait (comma list = any of, from 1.39). May be repeated. Requires 1.18.",
    }),
    forbidden: Flags.string({ multiple: true, multipleNonGreedy: true, summary: "A forbidden trait. May be repeated. Requires 1.22." }),
    "member-of": Flags.string({
      multiple: true,
      multipleNonGreedy: true,
      exclusive: ["aggregate-uuid"],
      summary: "A list of comma-separated aggregate UUIDs; repeat to AND them (1.24). Requires 1.3.",
    }),
    "aggregate-uuid": Flags.string({ multiple: true, multipleNonGreedy: true, hidden: true }),
  };

  async run(): Promise<void> {
    const f = this.flags;
    const query: Record<string, string | string[]> = {};
    if (f.name) query.name = f.name;
    if (f.uuid) query.uuid = f.uuid;
    if (f["aggregate-uuid"]?.length) {
      await this.requireAtLeast(3);
      this.warn("The --aggregate-uuid option is deprecated, please use --member-of instead.");
      query.member_of = `in:${f["aggregate-uuid"].join(",")}`;
    }
    if (f.resource?.length) {
      await this.requireAtLeast(4);
      query.resources = f.resource.map((r) => r.replace("=", ":")).join(",");
    }
    if (f["in-tree"]) {
      await this.requireAtLeast(14);
      query.in_tree = f["in-tree"];
    }
    const required = f.required ?? [];
    if (required.length) {
      await this.requireAtLeast(18);
      if (required.some((r) => r.includes(","))) await this.requireAtLeast(39);
    }
    const forbidden = (f.forbidden ?? []).map((t) => `!${t}`);
    if (forbidden.length) await this.requireAtLeast(22);
    const traitParams = requiredQueryParams(required, forbidden);
    if (traitParams.length) query.required = traitParams;
    if (f["member-of"]?.length) {
      await this.requireAtLeast(3);
      query.member_of = f["member-of"].map((a) => `in:${a}`);
    }
    const body = await this.placement("GET", "/resource_providers", { query });
    const fields = [...PROVIDER_FIELDS, ...((await this.atLeast(14)) ? NESTED_PROVIDER_FIELDS : [])];
    await this.printList(
      fields,
      (body.resource_providers as Array<Record<string, unknown>>).map((rp) => pick(rp, fields)),
    );
  }
}
