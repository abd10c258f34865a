import { Flags } from "@oclif/core";
import { LIST_COLUMNS, LONG_COLUMNS, listRow } from "../../engine/image/cli-format.js";
import { ImageCommand, parseProperties, visibilityFlags, visibilityOf } from "../../engine/image/cli-command.js";

export default class ImageList extends ImageCommand<typeof ImageList> {
  static override summary = "List available images";
  static override examples = ["<%= config.bin %> image list", "<%= config.bin %> image list --long --public"];
  static override flags = {
    ...visibilityFlags({
      public: "List only public images",
      private: "List only private images",
      community: "List only community images",
      shared: "List only shared images",
    }),
    property: Flags.string({
      summary: "Filter output based on property (repeat option to filter on multiple properties)",
      multiple: true,
      multipleNonGreedy: true,
    }),
    name: Flags.string({ summary: "Filter images based on name." }),
    status: Flags.string({ summary: "Filter images based on status." }),
    "member-status": Flags.string({
      summary: "Filter images based on member status.",
      options: ["accepted", "pending", "rejected", "all"],
    }),
    project: Flags.string({ summary: "Search by project (ID)" }),
    tag: Flags.string({ summary: "Filter images based on tag.", multiple: true, multipleNonGreedy: true }),
    hidden: Flags.boolean({ summary: "List hidden images" }),
    long: Flags.boolean({ summary: "List additional fields in output" }),
    sort: Flags.string({ summary: "Sort output by selected keys and directions (asc or desc) (default: name:asc)", default: "name:asc" }),
    limit: Flags.integer({ summary: "Maximum number of images to display." }),
    marker: Flags.string({ summary: "The last image of the previous page." }),
  };

  async run(): Promise<void> {
    const f = this.flags;
    const query: Record<string, string | string[] | undefined> = {
      visibility: visibilityOf(f),
      name: f.name,
      status: f.status,
      member_status: f["member-status"],
      owner: f.project,
      tag: f.tag,
      os_hidden: f.hidden ? "true" : undefined,
      limit: f.limit?.toString(),
      marker: f.marker ? (await this.images.find(f.marker)).id : undefined,
      ...parseProperties(f.property),
    };
    const images = await this.images.listAll(query);
    // The openstack client sorts on its side (default name:asc), by the API attribute names.
    const keys = f.sort.split(",").map((s) => s.split(":") as [string, string?]);
    images.sort((a, b) => {
      for (const [k, d] of keys) {
        const x = String(a[k] ?? "");
        const y = String(b[k] ?? "");
        if (x !== y) return (x < y ? -1 : 1) * (d === "desc" ? -1 : 1);
      }
      return 0;
    });
    await this.printList(
      f.long ? LONG_COLUMNS : LIST_COLUMNS,
      images.map((i) => listRow(i, f.format)),
    );
  }
}
