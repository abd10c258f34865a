import { closeSync, existsSync, openSync, readSync, statSync } from "node:fs";

/** Nova reads at most this much of a console log (nova.virt.libvirt.driver MAX_CONSOLE_BYTES). */
export const MAX_CONSOLE_BYTES = 100 * 1024;

// CSI sequences (ESC [ … final byte), two-byte escapes (ESC c resets the terminal: SeaBIOS and
// syslinux print it), OSC strings, and the other control bytes except newline and tab.
const ANSI = /\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[@-Z\\-_]|\x1b./g;
const CONTROL = /[\x00-\x08\x0b-\x1f\x7f]/g;

/** The serial log as a user reads it: no escape codes, \r\n → \n, no stray control bytes. */
export function cleanConsoleText(raw: string): string {
  return raw.replace(ANSI, "").replace(/\r+\n/g, "\n").replace(/\r/g, "\n").replace(CONTROL, "");
}

/** The last `maxBytes` of the console log file, cleaned ("" when the guest never wrote one). */
export function readConsoleLog(file: string, maxBytes = MAX_CONSOLE_BYTES): string {
  if (!existsSync(file)) return "";
  const size = statSync(file).size;
  const start = Math.max(0, size - maxBytes);
  const buf = Buffer.alloc(size - start);
  const fd = openSync(file, "r");
  try {
    readSync(fd, buf, 0, buf.length, start);
  } finally {
    closeSync(fd);
  }
  return cleanConsoleText(buf.toString("utf8"));
}

/** Nova's get_console_output tail_length: the last n lines. */
export function tailLines(text: string, n?: number | null): string {
  if (n === undefined || n === null || n < 0) return text;
  const lines = text.split("\n");
  if (lines.at(-1) === "") lines.pop();
  return lines.slice(Math.max(0, lines.length - n)).join("\n") + (lines.length && n > 0 ? "\n" : "");
}
