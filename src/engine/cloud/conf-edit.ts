import { readFileSync, writeFileSync } from "node:fs";

/**
 * Set `option = value` in `[section]` of an ini file, keeping every other line (and the user's comments)
 * as it is: replace the option's line, or add it under the section header, or add the section.
 */
export function setIniOption(file: string, section: string, option: string, value: string): void {
  const lines = readFileSync(file, "utf8").split("\n");
  let inSection = false;
  let sectionLine = -1;
  for (let i = 0; i < lines.length; i++) {
    const t = (lines[i] ?? "").trim();
    if (t.startsWith("[")) {
      inSection = t === `[${section}]`;
      if (inSection) sectionLine = i;
      continue;
    }
    if (inSection && new RegExp(`^${option}\\s*[=:]`).test(t)) {
      lines[i] = `${option} = ${value}`;
      writeFileSync(file, lines.join("\n"));
      return;
    }
  }
  if (sectionLine >= 0) lines.splice(sectionLine + 1, 0, `${option} = ${value}`);
  else {
    if (lines.at(-1) !== "") lines.push("");
    lines.push(`[${section}]`, `${option} = ${value}`, "");
  }
  writeFileSync(file, lines.join("\n"));
}
