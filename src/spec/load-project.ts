import { readFile, realpath } from "node:fs/promises";
import { basename, dirname, join, resolve } from "node:path";
import { CACHE_DIR } from "./digest-cache.js";
import { discoverManifestFiles } from "./discover.js";
import { gatherEnvironment, gatherModel, pathFact } from "./facts.js";
import type { Roots } from "./facts.js";
import { hashProject } from "./hash-project.js";
import { hasErrors } from "./issue.js";
import type { FieldPath, Issue, Note } from "./issue.js";
import { mapLimit } from "./map-limit.js";
import { classifyDocument, normaliseDocument } from "./normalise.js";
import type {
  LoadedDataset,
  LoadedEnvironment,
  LoadedModel,
  ManifestLocation,
  LoadOptions,
  LoadResult,
  Project,
} from "./project.js";
import { byLocation, dedupe, identify, ioIssue, placer } from "./place-issues.js";
import { findProjectRoot, loadProjectConfig } from "./project-root.js";
import { runRules } from "./rules/index.js";
import type { DatasetEntry, EnvironmentEntry, ModelEntry, RuleIssue } from "./rules/index.js";
import { touchesInvalid } from "./salvage.js";
import type { CustomModelManifest } from "./schema/custom-model.js";
import type { DatasetManifest } from "./schema/dataset.js";
import type { ExecutionEnvironmentManifest } from "./schema/execution-environment.js";
import type { Manifest, PartialManifest } from "./schema/manifest.js";
import type { ListedFile } from "./source-files.js";
import { locate, parseYaml } from "./yaml-doc.js";
import type { YamlDoc } from "./yaml-doc.js";

/**
 * Loads and validates a project: discovery → parse → normalise (schemas) → facts (fs) → rules.
 * Never throws on bad manifests: every problem is an issue, and `ok` says whether any is an error.
 */
export async function loadProject(opts: LoadOptions): Promise<LoadResult> {
  const cwd = resolve(opts.cwd);
  const root = await findProjectRoot(cwd);
  const roots: Roots = { root, realRoot: await realpath(root) };
  const loadedConfig = await loadProjectConfig(root);
  const { config } = loadedConfig;
  const issues: Issue[] = [...loadedConfig.issues];
  const notes: Note[] = [];
  const namespace = opts.namespace ?? config.namespace ?? basename(root);

  // Paths on the command line are relative to the cwd; those in drgitops.yaml to the project root.
  const inputs =
    opts.paths.length > 0
      ? opts.paths.map((p) => resolve(cwd, p))
      : config.paths
        ? config.paths.map((p) => resolve(root, p))
        : [cwd];
  const skip = new Set(loadedConfig.file ? [loadedConfig.file] : []);
  const discovered = await discoverManifestFiles(inputs, cwd, { skip });
  issues.push(...discovered.issues);

  const place = placer(loadedConfig.doc);
  // Documents with schema errors are judged too, on their valid fields, but never enter the project.
  const manifests: { doc: YamlDoc; manifest: PartialManifest; complete?: Manifest; invalid?: FieldPath[] }[] =
    [];
  const unjudged: { kind: string; name: string }[] = [];
  // Reading overlaps (the disk and the thread pool work in parallel); parsing stays in file order.
  const texts = await mapLimit(discovered.files, 32, (file) =>
    readFile(file, "utf8").catch((error: unknown) => {
      issues.push(ioIssue(file, error));
      return undefined;
    }),
  );
  for (const [i, file] of discovered.files.entries()) {
    const text = texts[i];
    if (text === undefined) continue;
    const parsed = parseYaml(file, text);
    issues.push(...parsed.issues);
    for (const doc of parsed.docs) {
      const cls = classifyDocument(doc.data);
      if (cls.type === "empty") continue;
      if (cls.type === "foreign") {
        notes.push({
          code: "skipped-document",
          file,
          line: doc.line,
          column: doc.column,
          message: cls.message,
        });
        continue;
      }
      const ident = identify(doc.data);
      if (cls.type === "invalid") {
        issues.push(place(cls.issue, doc, ident));
        continue;
      }
      const result = normaliseDocument(doc, config.defaults);
      for (const p of result.issues) issues.push(place(p, doc, ident));
      if (result.manifest) manifests.push({ doc, manifest: result.manifest, complete: result.manifest });
      else if (result.salvaged) manifests.push({ doc, manifest: result.salvaged.data, ...result.salvaged });
      else if (ident.kind !== undefined && ident.name !== undefined)
        unjudged.push({ kind: ident.kind, name: ident.name });
    }
  }

  const key = (name: string): string => `${namespace}/${name}`;
  const models: (ModelEntry & {
    listing?: ListedFile[];
    hasRequirements: boolean;
    complete?: CustomModelManifest;
  })[] = [];
  const environments: (EnvironmentEntry & { complete?: ExecutionEnvironmentManifest })[] = [];
  const datasets: (DatasetEntry & { complete?: DatasetManifest })[] = [];
  await mapLimit(manifests, 32, async ({ doc, manifest, complete, invalid }) => {
    try {
      await gather(doc, manifest, complete, invalid);
    } catch (error) {
      // An unreadable folder or file is a finding about this manifest, not a crash of the whole run.
      issues.push({
        ...ioIssue(doc.file, error),
        line: doc.line,
        column: doc.column,
        kind: manifest.kind,
        name: manifest.metadata.name,
      });
    }
  });
  async function gather(
    doc: YamlDoc,
    manifest: PartialManifest,
    complete: Manifest | undefined,
    invalid: FieldPath[] | undefined,
  ): Promise<void> {
    const dir = dirname(doc.file);
    const name = manifest.metadata.name;
    const base = { doc, name, key: key(name), ...(invalid ? { invalid } : {}) };
    switch (manifest.kind) {
      case "CustomModel": {
        const list = invalid === undefined || !touchesInvalid(invalid, ["spec", "source"]);
        const g = await gatherModel(roots, dir, manifest, { list });
        issues.push(...g.metadataIssues);
        const metaDoc = g.facts.metadata?.doc;
        if (metaDoc)
          for (const p of g.metadataPending) issues.push(place(p, metaDoc, { kind: "CustomModel", name }));
        models.push({
          ...base,
          manifest,
          ...(complete?.kind === "CustomModel" ? { complete } : {}),
          facts: g.facts,
          hasRequirements: g.hasRequirements,
          ...(g.listing ? { listing: g.listing } : {}),
        });
        break;
      }
      case "ExecutionEnvironment": {
        const context = manifest.spec.dockerContext;
        environments.push({
          ...base,
          manifest,
          ...(complete?.kind === "ExecutionEnvironment" ? { complete } : {}),
          facts:
            context === undefined ? { hasDockerfile: false } : await gatherEnvironment(roots, dir, context),
        });
        break;
      }
      case "Dataset": {
        const file = manifest.spec.file;
        datasets.push({
          ...base,
          manifest,
          ...(complete?.kind === "Dataset" ? { complete } : {}),
          facts: file === undefined ? {} : { file: await pathFact(roots, dir, file, "file") },
        });
        break;
      }
    }
  }
  // Facts were gathered concurrently; restore file order so output and duplicate detection are stable.
  const byPosition = (a: { doc: YamlDoc }, b: { doc: YamlDoc }): number =>
    a.doc.file === b.doc.file ? a.doc.index - b.doc.index : a.doc.file < b.doc.file ? -1 : 1;
  models.sort(byPosition);
  environments.sort(byPosition);
  datasets.sort(byPosition);

  runRules({
    models,
    environments,
    datasets,
    unjudged,
    report: (r: RuleIssue) => issues.push(place(r, r.at, { kind: r.kind, name: r.name })),
  });

  const validModels = models.filter(isValid);
  const validEnvironments = environments.filter(isValid);
  const validDatasets = datasets.filter(isValid);
  const project: Project = {
    root,
    namespace,
    config,
    ...(loadedConfig.file ? { configFile: loadedConfig.file } : {}),
    models: validModels.map((m) => loadedModel(m)),
    environments: validEnvironments.map((e) => loadedEnvironment(e)),
    datasets: validDatasets.map((d) => loadedDataset(d)),
  };
  if (opts.hash) {
    const cacheDir = opts.cacheDir ?? join(root, CACHE_DIR);
    await hashProject(project, validModels, validEnvironments, validDatasets, roots, cacheDir);
  }

  const unique = dedupe(issues).sort(byLocation);
  return { ok: !hasErrors(unique), project, issues: unique, notes };
}

/** Entries whose documents passed the schema whole: only these make the project. */
function isValid<E extends { complete?: unknown }>(
  entry: E,
): entry is E & { complete: NonNullable<E["complete"]> } {
  return entry.complete !== undefined;
}

function loadedModel(
  m: ModelEntry & { hasRequirements: boolean; complete: CustomModelManifest },
): LoadedModel {
  const labels = m.complete.spec.classLabels ?? m.facts.classLabelsFile?.labels;
  const metadata = m.facts.metadata?.parsed;
  return {
    manifest: m.complete,
    file: m.doc.file,
    line: m.doc.line,
    documentIndex: m.doc.index,
    locate: locator(m.doc),
    key: m.key,
    name: m.name,
    sourceDir: resolve(dirname(m.doc.file), m.complete.spec.source.path),
    hasRequirements: m.hasRequirements,
    ...(metadata ? { metadata } : {}),
    ...(labels ? { classLabels: labels } : {}),
  };
}

function loadedEnvironment(
  e: EnvironmentEntry & { complete: ExecutionEnvironmentManifest },
): LoadedEnvironment {
  return {
    manifest: e.complete,
    file: e.doc.file,
    line: e.doc.line,
    documentIndex: e.doc.index,
    locate: locator(e.doc),
    key: e.key,
    name: e.name,
    dockerContextDir: resolve(dirname(e.doc.file), e.complete.spec.dockerContext),
  };
}

function loadedDataset(d: DatasetEntry & { complete: DatasetManifest }): LoadedDataset {
  return {
    manifest: d.complete,
    file: d.doc.file,
    line: d.doc.line,
    documentIndex: d.doc.index,
    locate: locator(d.doc),
    key: d.key,
    name: d.name,
    ...(d.facts.file ? { filePath: d.facts.file.abs } : {}),
  };
}

/** Positions for later layers (plan-time issues), from the parsed document kept in memory. */
function locator(doc: YamlDoc): ManifestLocation["locate"] {
  return (path) => {
    const { line, column } = locate(doc, [...path]);
    return { line, column };
  };
}
