import type { FieldPath, PendingIssue } from "../issue.js";
import { touchesInvalid } from "../salvage.js";
import type { DatasetManifest } from "../schema/dataset.js";
import type { PartialCustomModelManifest, PartialExecutionEnvironmentManifest } from "../schema/manifest.js";
import type { ModelMetadata } from "../schema/model-metadata.js";
import type { YamlDoc } from "../yaml-doc.js";

/**
 * What the loader learnt about a path named in a manifest. Rules only read these facts (they do no
 * I/O themselves); `problem` is undefined when the path exists, has the expected type and stays inside
 * the project root.
 */
export interface PathFact {
  /** The path as written in the manifest. */
  written: string;
  abs: string;
  /** The project root the path was judged against (named in messages about escaping it). */
  root?: string;
  problem?: "absolute" | "escapes" | "symlink-escapes" | "missing" | "not-directory" | "not-file";
}

export interface ModelFacts {
  /** Absent when spec.source.path is invalid. */
  source?: PathFact;
  /** Files selected by include/exclude (undefined when the folder could not be listed). */
  fileCount?: number;
  /** Symlinks inside the source that point outside the project root. */
  escapingLinks: string[];
  /** The source's top-level model-metadata.yaml, if any. `parsed` is absent when it is invalid. */
  metadata?: { doc?: YamlDoc; file: string; parsed?: ModelMetadata };
  classLabelsFile?: PathFact & { labels?: string[] };
}

/**
 * One manifest as rules see it. A document with schema errors is judged too, on its valid fields: the
 * invalid ones are absent from `manifest` and listed in `invalid`, and rules must not read an absence
 * there as "not given" (that problem was reported already).
 */
export interface Entry<M, F> {
  doc: YamlDoc;
  manifest: M;
  name: string;
  key: string;
  facts: F;
  invalid?: readonly FieldPath[];
}

export type ModelEntry = Entry<PartialCustomModelManifest, ModelFacts>;
export type EnvironmentEntry = Entry<
  PartialExecutionEnvironmentManifest,
  /** context is absent when spec.dockerContext is invalid. */
  { context?: PathFact; hasDockerfile: boolean }
>;
export type DatasetEntry = Entry<DatasetManifest, { file?: PathFact }>;

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
  models: readonly ModelEntry[];
  environments: readonly EnvironmentEntry[];
  datasets: readonly DatasetEntry[];
  /** Documents too broken to judge (a field no rule can do without is invalid): still valid ref targets. */
  unjudged?: readonly { kind: string; name: string }[];
  report(issue: RuleIssue): void;
}

export type Rule = (ctx: RuleContext) => void;

/** Shorthand for reporting against an entry's own manifest. */
export function reporter(
  ctx: RuleContext,
  entry: { doc: YamlDoc; name: string; manifest: { kind: string } },
): (issue: PendingIssue) => void {
  return (issue) => ctx.report({ ...issue, at: entry.doc, kind: entry.manifest.kind, name: entry.name });
}
