import type { FieldPath, PendingIssue } from "../issue.js";
import type { ResolvedPath } from "../local-paths.js";
import { touchesInvalid } from "../salvage.js";
import type { YamlDoc } from "../yaml-doc.js";

/**
 * One manifest as rules see it. A document with schema errors is judged too, on its valid fields: the
 * invalid ones are absent from `manifest` and listed in `invalid`, and rules must not read an absence
 * there as "not given" (that problem was reported already).
 */
export interface Entry<M = unknown> {
  kind: string;
  doc: YamlDoc;
  manifest: M;
  name: string;
  key: string;
  /** The local paths the manifest names, by role, as the loader resolved them (no I/O in rules). */
  paths: Readonly<Record<string, ResolvedPath>>;
  invalid?: readonly FieldPath[];
}

/** True when the field at `path`, one around it or one inside it failed the schema. */
export function isInvalid(entry: { invalid?: readonly FieldPath[] }, path: FieldPath): boolean {
  return entry.invalid !== undefined && touchesInvalid(entry.invalid, path);
}

/** An issue a rule found, with the document it points into (a manifest or a model-metadata.yaml). */
export interface RuleIssue extends PendingIssue {
  at: YamlDoc;
  kind: string;
  name: string;
}

export interface RuleContext {
  /** The project root (messages name other files relative to it). */
  readonly root: string;
  /** Every judged document, in file order. */
  readonly entries: readonly Entry[];
  /** Documents too broken to judge (a field no rule can do without is invalid): still valid ref targets. */
  readonly unjudged: readonly { kind: string; name: string }[];
  report(issue: RuleIssue): void;
}

/** A kind's rule, run on each of its documents; cross-document rules read `ctx.entries`. */
export type KindRule<M> = (entry: Entry<M>, ctx: RuleContext) => void;

/** Shorthand for reporting against an entry's own manifest. */
export function reporter(
  ctx: RuleContext,
  entry: { doc: YamlDoc; name: string; kind: string },
): (issue: PendingIssue) => void {
  return (issue) => ctx.report({ ...issue, at: entry.doc, kind: entry.kind, name: entry.name });
}
