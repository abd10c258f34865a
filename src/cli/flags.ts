import { Flags } from "@oclif/core";

/** --state-dir: every command that works on the local cloud honours it (and POCKETSTACK_HOME). */
export const stateDirFlag = Flags.string({
  summary: "State directory of the local cloud (default: $POCKETSTACK_HOME or ~/.pocketstack).",
  env: "POCKETSTACK_HOME",
});

/** --set section.option=value, repeatable: per-run configuration overrides. */
export const setFlag = Flags.string({
  summary: "Override a configuration option for this run: section.option=value (repeatable).",
  multiple: true,
});
