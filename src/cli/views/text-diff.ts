import type { BaseAction, FieldChange } from "../../reconcile/action.js";

/**
 * Unified diffs of changed text files, for display only (the plan's decisions never depend on them).
 * Contents come from a callback so renderers stay pure and testable: apply's plan command reads
 * the local file (after) and the cached live file (before).
 */
export interface TextSource {
  side: "before" | "after";
  key: string;
  path: string;
  sha256: string;
  /** The live version the "before" side belongs to. */
  versionId: string | null;
  /** The local file of the "after" side, relative to the project root. */
  localPath: string | null;
}

/** The file's text, or undefined when it is binary, too large or not available. */
export type ReadText = (source: TextSource) => string | undefined | Promise<string | undefined>;

export type TextDiff = { kind: "lines"; lines: string[] } | { kind: "note"; note: string };

export const MAX_DIFF_LINES = 200;

type FileChange = Extract<FieldChange, { kind: "file" }>;

export async function textDiff(
  action: BaseAction,
  change: FileChange,
  readText: ReadText | undefined,
): Promise<TextDiff | null> {
  if (!readText || change.change !== "modified" || !change.before || !change.after) return null;
  const [before, after] = await Promise.all([
    readText({
      side: "before",
      key: action.key,
      path: change.path,
      sha256: change.before.sha256,
      versionId: action.expected?.latestVersionId ?? null,
      localPath: null,
    }),
    readText({
      side: "after",
      key: action.key,
      path: change.path,
      sha256: change.after.sha256,
      versionId: null,
      localPath: change.after.localPath,
    }),
  ]);
  if (before === undefined || after === undefined || before.includes("\0") || after.includes("\0"))
    return { kind: "note", note: "binary or unavailable: size and digest only" };
  // Loaded with the first diff shown: most plans show none.
  const { structuredPatch } = await import("diff");
  const patch = structuredPatch(`a/${change.path}`, `b/${change.path}`, before, after, undefined, undefined, {
    context: 3,
  });
  const lines = [`--- a/${change.path}`, `+++ b/${change.path}`];
  for (const hunk of patch.hunks) {
    lines.push(`@@ -${hunk.oldStart},${hunk.oldLines} +${hunk.newStart},${hunk.newLines} @@`);
    lines.push(...hunk.lines);
  }
  if (lines.length > MAX_DIFF_LINES) {
    const more = lines.length - MAX_DIFF_LINES;
    return {
      kind: "lines",
      lines: [...lines.slice(0, MAX_DIFF_LINES), `… ${more} more line${more === 1 ? "" : "s"}`],
    };
  }
  return { kind: "lines", lines };
}
