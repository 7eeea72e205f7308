/**
 * Cuts markdown to a size limit at a line boundary without breaking what follows the cut: an open
 * code fence is closed, then every open `<details>`, then a note is added. GitHub rejects a comment
 * over its limit and drops a job summary over its own, so a long plan must be shortened, not lost.
 */
export interface MarkdownLimit {
  /** Largest allowed size of the result, measured by `measure`. */
  max: number;
  /** Size of a text; must add up over concatenation (characters, UTF-8 bytes). Default: length. */
  measure?: (text: string) => number;
  /** Markdown appended after the cut (say where the full text is). */
  note: string;
}

export interface LimitedMarkdown {
  text: string;
  truncated: boolean;
}

interface OpenFence {
  indent: string;
  marker: string;
}

/** What must be appended after a line to close everything still open at that point. */
interface BlockState {
  fence: OpenFence | undefined;
  details: number;
}

const FENCE = /^(\s*)(`{3,}|~{3,})(.*)$/;

function advance(state: BlockState, line: string): BlockState {
  const fence = FENCE.exec(line);
  if (state.fence !== undefined) {
    const closes =
      fence !== null &&
      fence[2]![0] === state.fence.marker[0] &&
      fence[2]!.length >= state.fence.marker.length &&
      fence[3]!.trim() === "";
    return closes ? { ...state, fence: undefined } : state;
  }
  // A backtick fence's info string cannot hold a backtick (CommonMark); such a line is inline code.
  if (fence !== null && !(fence[2]![0] === "`" && fence[3]!.includes("`")))
    return { ...state, fence: { indent: fence[1]!, marker: fence[2]! } };
  const opened = line.match(/<details[\s>]/gi)?.length ?? 0;
  const closed = line.match(/<\/details\s*>/gi)?.length ?? 0;
  return { ...state, details: Math.max(0, state.details + opened - closed) };
}

function closers(state: BlockState): string[] {
  const out: string[] = [];
  if (state.fence !== undefined) out.push(`${state.fence.indent}${state.fence.marker}`);
  for (let i = 0; i < state.details; i++) out.push("", "</details>");
  return out;
}

/** The text unchanged when it fits; otherwise the longest prefix of whole lines that fits with its closers and the note. */
export function limitMarkdown(text: string, limit: MarkdownLimit): LimitedMarkdown {
  const measure = limit.measure ?? ((t: string) => t.length);
  if (measure(text) <= limit.max) return { text, truncated: false };
  const tail = (state: BlockState): string => [...closers(state), "", limit.note].join("\n") + "\n";
  const lines = text.split("\n");
  let state: BlockState = { fence: undefined, details: 0 };
  let kept = 0;
  let size = 0;
  for (const line of lines) {
    const next = advance(state, line);
    const nextSize = size + measure(line) + measure("\n");
    if (nextSize + measure(tail(next)) > limit.max) break;
    state = next;
    size = nextSize;
    kept += 1;
  }
  const head = lines
    .slice(0, kept)
    .map((l) => `${l}\n`)
    .join("");
  return { text: head + tail(state), truncated: true };
}
