import { readFile, realpath, stat } from "node:fs/promises";
import { isAbsolute, join, resolve } from "node:path";
import type { Issue } from "./issue.js";
import type { ModelFacts, PathFact } from "./rules/context.js";
import type { PartialCustomModelManifest } from "./schema/manifest.js";
import { ModelMetadataSchema } from "./schema/model-metadata.js";
import { isInside, listSourceFiles } from "./source-files.js";
import type { ListedFile } from "./source-files.js";
import { parseYaml } from "./yaml-doc.js";
import { parseWith } from "./zod-issues.js";
import type { PendingIssue } from "./issue.js";
import type { YamlDoc } from "./yaml-doc.js";

export interface Roots {
  /** The project root as found (lexical). */
  root: string;
  /** Its realpath, to judge where symlinks lead. */
  realRoot: string;
}

/** Resolves a manifest-relative path and checks it stays in the root and has the expected type. */
export async function pathFact(
  roots: Roots,
  baseDir: string,
  written: string,
  expect: "dir" | "file",
): Promise<PathFact> {
  const abs = resolve(baseDir, written);
  if (isAbsolute(written)) return { written, abs, problem: "absolute" };
  if (!isInside(roots.root, abs)) return { written, abs, root: roots.root, problem: "escapes" };
  const s = await stat(abs).catch(() => undefined);
  if (s === undefined) return { written, abs, problem: "missing" };
  if (!isInside(roots.realRoot, await realpath(abs))) {
    return { written, abs, root: roots.root, problem: "symlink-escapes" };
  }
  if (expect === "dir" && !s.isDirectory()) return { written, abs, problem: "not-directory" };
  if (expect === "file" && !s.isFile()) return { written, abs, problem: "not-file" };
  return { written, abs };
}

export interface GatheredModel {
  facts: ModelFacts;
  listing?: ListedFile[];
  hasRequirements: boolean;
  /** Problems inside model-metadata.yaml itself (YAML syntax), already placed. */
  metadataIssues: Issue[];
  /** Schema problems of model-metadata.yaml, to be placed in that file. */
  metadataPending: PendingIssue[];
}

/** `list: false` when include/exclude are invalid: listing without them would judge the wrong files. */
export async function gatherModel(
  roots: Roots,
  manifestDir: string,
  manifest: PartialCustomModelManifest,
  { list }: { list: boolean },
): Promise<GatheredModel> {
  const spec = manifest.spec;
  const facts: ModelFacts = { escapingLinks: [] };
  const out: GatheredModel = { facts, hasRequirements: false, metadataIssues: [], metadataPending: [] };
  if (spec.classLabelsFile !== undefined) {
    const fact = await pathFact(roots, manifestDir, spec.classLabelsFile, "file");
    facts.classLabelsFile =
      fact.problem === undefined ? { ...fact, labels: parseLabels(await readFile(fact.abs, "utf8")) } : fact;
  }
  if (spec.source === undefined) return out;
  const source = await pathFact(roots, manifestDir, spec.source.path, "dir");
  facts.source = source;
  if (source.problem !== undefined || !list) return out;

  const listing = await listSourceFiles(
    source.abs,
    { include: spec.source.include, exclude: spec.source.exclude },
    { root: roots.realRoot },
  );
  facts.fileCount = listing.files.length;
  facts.escapingLinks = listing.escapes;
  out.listing = listing.files;
  out.hasRequirements = listing.files.some((f) => f.path === "requirements.txt");

  // Only the uploaded copy matters: an excluded model-metadata.yaml never reaches DataRobot.
  const metaFile = listing.files.find((f) => f.path === "model-metadata.yaml");
  if (metaFile) {
    const { docs, issues } = parseYaml(metaFile.absPath, await readFile(metaFile.absPath, "utf8"));
    const doc: YamlDoc | undefined = docs[0];
    facts.metadata = { file: metaFile.absPath, ...(doc ? { doc } : {}) };
    out.metadataIssues = issues;
    if (doc && issues.length === 0) {
      const parsed = parseWith(ModelMetadataSchema, doc.data ?? {});
      if (parsed.data !== undefined) facts.metadata.parsed = parsed.data;
      else out.metadataPending = parsed.issues;
    }
  }
  return out;
}

/** One label per line; blank lines and surrounding spaces do not count (as in DRUM). */
export function parseLabels(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== "");
}

export async function gatherEnvironment(
  roots: Roots,
  manifestDir: string,
  dockerContext: string,
): Promise<{ context: PathFact; hasDockerfile: boolean }> {
  const context = await pathFact(roots, manifestDir, dockerContext, "dir");
  if (context.problem !== undefined) return { context, hasDockerfile: false };
  const dockerfile = await stat(join(context.abs, "Dockerfile")).catch(() => undefined);
  return { context, hasDockerfile: dockerfile?.isFile() ?? false };
}
