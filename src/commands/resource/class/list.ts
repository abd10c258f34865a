import { PlacementCommand } from "../../../cli/placement-command.js";

export default class ResourceClassList extends PlacementCommand<typeof ResourceClassList> {
  static override summary = "Return a list of all resource classes.";
  static override description = "Requires --os-placement-api-version 1.2.";

  async run(): Promise<void> {
    await this.requireAtLeast(2);
    const { resource_classes } = await this.placement("GET", "/resource_classes");
    await this.printList(
      ["name"],
      (resource_classes as Array<{ name: string }>).map((rc) => ({ name: rc.name })),
    );
  }
}
