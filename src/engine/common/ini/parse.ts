// A small INI reader shared by pocketstack.conf and api-paste.ini. It keeps the line number of every
// section and key so that errors can say exactly where a file is wrong (oslo.config and PasteDeploy do).
export interface IniEntry {
  value: string;
  line: number;
}
export interface IniSection {
  name: string;
  line: number;
  entries: Map<string, IniEntry>;
}
export interface IniFile {
  file: string;
  sections: Map<string, IniSection>;
}

export class IniSyntaxError extends Error {
  constructor(
    readonly file: string,
    readonly line: number,
    message: string,
  ) {
    super(`${file}:${line}: ${message}`);
    this.name = "IniSyntaxError";
  }
}

export function parseIni(text: string, file = "<string>"): IniFile {
  const sections = new Map<string, IniSection>();
  let current: IniSection | undefined;
  let lastKey: IniEntry | undefined;
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const lineNo = i + 1;
    const raw = lines[i] ?? "";
    const trimmed = raw.trim();
    if (trimmed === "" || trimmed.startsWith("#") || trimmed.startsWith(";")) {
      lastKey = trimmed === "" ? undefined : lastKey;
      continue;
    }
    // A line that starts with white space continues the previous value (as in Python's configparser).
    if (/^\s/.test(raw) && lastKey) {
      lastKey.value = `${lastKey.value}\n${trimmed}`;
      continue;
    }
    if (trimmed.startsWith("[")) {
      const m = /^\[([^\]]+)\]$/.exec(trimmed);
      if (!m?.[1]) throw new IniSyntaxError(file, lineNo, `malformed section header: ${trimmed}`);
      const name = m[1].trim();
      if (sections.has(name)) throw new IniSyntaxError(file, lineNo, `duplicate section [${name}]`);
      current = { name, line: lineNo, entries: new Map() };
      sections.set(name, current);
      lastKey = undefined;
      continue;
    }
    const eq = trimmed.search(/[=:]/);
    if (eq <= 0) throw new IniSyntaxError(file, lineNo, `expected 'key = value', got: ${trimmed}`);
    if (!current) throw new IniSyntaxError(file, lineNo, "option outside of any [section]");
    const key = trimmed.slice(0, eq).trim();
    const value = trimmed.slice(eq + 1).trim();
    lastKey = { value, line: lineNo };
    current.entries.set(key, lastKey);
  }
  return { file, sections };
}
