import { Args, Flags } from "@oclif/core";
import { BaseCommand } from "../../cli/base-command.js";
import { setFlag, stateDirFlag } from "../../cli/flags.js";
import { cloudStatus, cloudUp } from "../../engine/cloud/control.js";
import { stateDir } from "../../engine/common/paths.js";
import { Answers } from "../../engine/labs/answers.js";
import { loadLab } from "../../engine/labs/load.js";
import { textReporter } from "../../engine/labs/report.js";
import { runLab } from "../../engine/labs/runner.js";

export default class LabRun extends BaseCommand<typeof LabRun> {
  static override summary = "Run a lab against the local cloud, checking each step";
  static override description =
    "Brings the cloud up if it is not running, then runs the lab's steps in order: each prints its explanation, the command, its output and ✓ or ✗ (with what did not hold, in one line). A failed step stops the lab (--keep-going runs the rest); the lab's cleanup steps always run. Exit code 0 only if every expectation held.";
  static override examples = [
    "<%= config.bin %> lab run nova",
    "<%= config.bin %> lab run keystone --interactive",
    "<%= config.bin %> lab run glance-placement --step 6",
    "<%= config.bin %> lab run nova --driver qemu --state-dir /tmp/lab",
  ];
  static override args = { lab: Args.string({ required: true, description: "Lab name (see os lab list)" }) };
  static override flags = {
    "state-dir": stateDirFlag,
    set: setFlag,
    step: Flags.integer({ min: 1, summary: "Run only this step (1-based), reusing values the lab's last run saved." }),
    interactive: Flags.boolean({ char: "i", summary: "Pause before each step (Enter runs it, q stops)." }),
    "keep-going": Flags.boolean({ summary: "Run the remaining steps after a failed one." }),
    verbose: Flags.boolean({ char: "v", summary: "Print whole outputs, not just their first lines." }),
    driver: Flags.option({
      options: ["fake", "qemu", "auto"] as const,
      summary: "Compute driver, if the lab has to bring the cloud up.",
    })(),
  };

  async run(): Promise<void> {
    const f = this.flags;
    const lab = loadLab(this.args.lab);
    if (f.step !== undefined && f.step > lab.steps.length)
      throw new Error(`lab ${lab.name} has ${lab.steps.length} steps; there is no step ${f.step}`);
    const dir = stateDir(f["state-dir"]);
    const overrides = [...(f.set ?? [])];
    if (f.driver) overrides.push(`compute.compute_driver=${f.driver}`);
    if (!cloudStatus(dir).running) {
      process.stdout.write(`The cloud in ${dir} is not running: bringing it up (os cloud up)…\n`);
      const { warning } = await cloudUp(dir, { overrides });
      if (warning) this.warn(warning);
    }
    const answers = f.interactive ? new Answers(process.stdin, process.stdout) : undefined;
    try {
      const result = await runLab(lab, {
        stateDir: dir,
        only: f.step,
        keepGoing: f["keep-going"],
        overrides,
        reporter: textReporter({
          write: (s) => process.stdout.write(s),
          verbose: f.verbose,
          color: process.stdout.isTTY && !process.env.NO_COLOR,
        }),
        beforeStep: answers
          ? async (index, total) => {
              const answer = (await answers.ask(`\n-- Enter runs step ${index}/${total}, q stops: `)) ?? "q";
              return answer.trim().toLowerCase().startsWith("q") ? "quit" : "run";
            }
          : undefined,
      });
      if (!result.ok) {
        const missing = result.firstFailure?.failures.find((m) => /is not defined/.test(m));
        if (missing && f.step)
          process.stderr.write(`(run the whole lab once, 'os lab run ${lab.name}', so the values step ${f.step} needs are saved)\n`);
        process.exitCode = 1;
      }
    } finally {
      answers?.close();
    }
  }
}
