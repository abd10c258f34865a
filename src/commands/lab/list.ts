import { join } from "node:path";
import { BaseCommand } from "../../cli/base-command.js";
import { labNames, labsDir, loadLab } from "../../engine/labs/load.js";

export default class LabList extends BaseCommand<typeof LabList> {
  static override summary = "List the labs: the seed's walkthroughs as scripted, checked scenarios";
  static override description =
    `Each lab is a YAML file in ${join("fixtures", "labs")}. Run one with 'os lab run <name>'. A lab file that does not fit the format is reported with its file and field.`;
  static override examples = ["<%= config.bin %> lab list", "<%= config.bin %> lab list -f json"];

  async run(): Promise<void> {
    const rows: Array<Record<string, string | number>> = [];
    const problems: string[] = [];
    for (const name of labNames()) {
      try {
        const lab = loadLab(name);
        rows.push({ Name: name, Title: lab.title, Steps: lab.steps.length });
      } catch (err) {
        problems.push((err as Error).message);
      }
    }
    await this.printList(["Name", "Title", "Steps"], rows);
    if (rows.length === 0 && problems.length === 0) this.logToStderr(`no lab files in ${labsDir()}`);
    for (const p of problems) process.stderr.write(`${p}\n`);
    if (problems.length > 0) process.exitCode = 1;
  }
}
