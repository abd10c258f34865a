import type { LoadedLab } from "./load.js";
import type { LabReporter, LabResult, StepResult } from "./runner.js";
import type { Step } from "./schema.js";

/**
 * How `os lab run` prints a lab: what it teaches, then each step with its explanation, the command,
 * its output (indented), ✓ or ✗ with what failed in one line, and a summary naming the first failure.
 */
export interface TextReporterOptions {
  write: (text: string) => void;
  /** Print whole outputs instead of the first lines. */
  verbose?: boolean;
  color?: boolean;
}

const HEAD_LINES = 40;

function wrap(text: string, width = 100, indent = "  "): string {
  const out: string[] = [];
  for (const para of text.trim().split(/\n\s*\n/)) {
    let line = "";
    for (const word of para.split(/\s+/)) {
      if (line && line.length + 1 + word.length > width) {
        out.push(indent + line);
        line = word;
      } else line = line ? `${line} ${word}` : word;
    }
    if (line) out.push(indent + line);
    out.push("");
  }
  return out.join("\n").trimEnd();
}

function clip(text: string, mode: Step["show"], verbose: boolean): string[] {
  // Blank lines around the output are noise (and an empty output prints nothing).
  const trimmed = text.replace(/^(?:[ \t]*\n)+/, "").replace(/\s+$/, "");
  if (mode === "none" || trimmed === "") return [];
  const lines = trimmed.split("\n");
  if (verbose || mode === "all" || lines.length <= HEAD_LINES) return lines;
  if (mode === "tail") return [`… (${lines.length - HEAD_LINES} lines before)`, ...lines.slice(-HEAD_LINES)];
  return [...lines.slice(0, HEAD_LINES), `… (${lines.length - HEAD_LINES} more lines; --verbose shows all)`];
}

export function textReporter(opts: TextReporterOptions): LabReporter {
  const paint = (code: string, s: string) => (opts.color ? `\u001b[${code}m${s}\u001b[0m` : s);
  const green = (s: string) => paint("32", s);
  const red = (s: string) => paint("31", s);
  const dim = (s: string) => paint("2", s);
  const bold = (s: string) => paint("1", s);
  const w = (s = "") => opts.write(`${s}\n`);
  let lab: LoadedLab | undefined;

  return {
    start(l, info) {
      lab = l;
      w(bold(`Lab ${l.name}: ${l.title}`));
      w(wrap(l.teaches));
      w(dim(`  (cloud: ${info.stateDir}, compute driver: ${info.driver}${info.only ? `; step ${info.only} only` : ""})`));
    },
    step(index, total, phase, step, command) {
      w();
      w(bold(phase === "step" ? `[${index}/${total}] ${step.title}` : `[cleanup ${index}/${total}] ${step.title}`));
      if (step.explain && phase === "step") w(wrap(step.explain));
      if (command) w(`  $ ${command.split("\n").join("\n    ")}`);
    },
    result(step, r) {
      if (r.status === "skipped") {
        w(dim(`  – skipped: ${r.reason}`));
        return;
      }
      for (const line of clip(r.output ?? "", step.show, Boolean(opts.verbose))) w(`    ${line}`);
      if (r.trace) {
        w(`  $ os trace show ${r.trace.requestId}`);
        for (const line of clip(r.trace.text, "head", true)) w(`    ${line}`);
      }
      const saved = Object.entries(r.saved).map(([k, v]) => `${k}=${v.length > 40 ? `${v.slice(0, 24)}…` : v}`);
      const took = r.attempts > 1 ? ` (after ${r.attempts} tries, ${(r.ms / 1000).toFixed(1)} s)` : "";
      if (r.status === "passed") w(green(`  ✓ ${r.title}${took}`) + (saved.length ? dim(`  saved ${saved.join(", ")}`) : ""));
      else for (const f of r.failures) w(red(`  ✗ ${f}${took}`));
    },
    summary(res: LabResult) {
      const count = (s: StepResult["status"]) => res.steps.filter((x) => x.status === s).length;
      w();
      const parts = [`${count("passed")} passed`, `${count("failed")} failed`];
      if (count("skipped")) parts.push(`${count("skipped")} skipped`);
      if (count("not run")) parts.push(`${count("not run")} not run`);
      const cleanFailed = res.cleanup.filter((c) => c.status === "failed").length;
      if (res.cleanup.length) parts.push(`cleanup ${cleanFailed ? red(`${cleanFailed} of ${res.cleanup.length} failed`) : "ok"}`);
      const f = res.firstFailure;
      if (res.ok) w(green(bold(`Lab ${lab?.name ?? res.lab} passed: ${parts.join(", ")}.`)));
      else if (f) {
        const where = f.phase === "step" ? `step ${f.index}` : `cleanup step ${f.index}`;
        w(red(bold(`Lab ${lab?.name ?? res.lab} failed at ${where} ("${f.title}"): ${f.failures[0] ?? "failed"}`)));
        w(`  ${parts.join(", ")}.`);
      } else w(red(bold(`Lab ${lab?.name ?? res.lab} stopped before the end: ${parts.join(", ")}.`)));
    },
  };
}
