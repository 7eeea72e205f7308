import { createRedactor } from "../client/redact.js";

export interface FailureDetailOptions {
  /** Values that must not appear (tokens, sensitive runtime values); each becomes `[REDACTED]`. */
  secrets?: readonly string[];
  /** How many lines from the end to keep. Default 20. */
  maxLines?: number;
  /** Longest line kept, in characters; longer ones end in `…`. Default 200. */
  maxLineLength?: number;
}

export interface FailureDetail {
  /** The last lines of the log, redacted and cut, oldest first. */
  lines: string[];
  /** How many earlier lines were left out. */
  omitted: number;
}

// Colour and cursor sequences of terminal output (pip, docker), which mean nothing in markdown.
// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[[0-9;?]*[ -/]*[@-~]|\u001b\][^\u0007\u001b]*(?:\u0007|\u001b\\)/g;
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g; // all but \t, \n, \r

/** What a terminal shows of a line rewritten with `\r` (progress bars): the text after the last one. */
function shown(line: string): string {
  const parts = line.split("\r").filter((p) => p !== "");
  return parts.at(-1) ?? "";
}

function cut(line: string, max: number): string {
  const chars = Array.from(line);
  return chars.length <= max ? line : `${chars.slice(0, Math.max(0, max - 1)).join("")}…`;
}

/**
 * The end of a test or dependency-build log for an outcome, a job summary or a PR comment: the last
 * `maxLines` lines (trailing blank lines dropped), each at most `maxLineLength` characters, terminal
 * escapes removed and every secret replaced by `[REDACTED]` before anything is cut, so no part of a
 * secret survives a cut. Pure.
 */
export function failureDetail(log: string, options: FailureDetailOptions = {}): FailureDetail {
  const maxLines = Math.max(0, options.maxLines ?? 20);
  const maxLineLength = Math.max(1, options.maxLineLength ?? 200);
  const redact = createRedactor(options.secrets ?? []);
  // Escapes go first so that a secret split by them is still found; redaction comes before any cut.
  const clean = log.replace(ANSI, "").replace(CONTROL, "");
  const all = redact(clean)
    .split("\n")
    .map((l) => shown(l).trimEnd());
  while (all.length > 0 && all.at(-1) === "") all.pop();
  const lines = maxLines === 0 ? [] : all.slice(-maxLines);
  return { lines: lines.map((l) => cut(l, maxLineLength)), omitted: all.length - lines.length };
}
