import { readFile, realpath } from "node:fs/promises";
import { basename, dirname, join, resolve } from "node:path";
import { CACHE_DIR } from "./digest-cache.js";
import { discoverManifestFiles } from "./discover.js";
import { gatherEnvironment, gatherModel, pathFact } from "./facts.js";
import type { Roots } from "./facts.js";
import { hashProject } from "./hash-project.js";
import { hasErrors } from "./issue.js";
import type { Issue, Note } from "./issue.js";
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
import type { Manifest } from "./schema/manifest.js";
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
  const manifests: { doc: YamlDoc; manifest: Manifest }[] = [];
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
      if (result.manifest) manifests.push({ doc, manifest: result.manifest });
    }
  }

  const key = (name: string): string => `${namespace}/${name}`;
  const models: (ModelEntry & { listing?: ListedFile[]; hasRequirements: boolean })[] = [];
  const environments: EnvironmentEntry[] = [];
  const datasets: DatasetEntry[] = [];
  await mapLimit(manifests, 32, async ({ doc, manifest }) => {
    try {
      await gather(doc, manifest);
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
  async function gather(doc: YamlDoc, manifest: Manifest): Promise<void> {
    const dir = dirname(doc.file);
    const name = manifest.metadata.name;
    const base = { doc, name, key: key(name) };
    switch (manifest.kind) {
      case "CustomModel": {
        const g = await gatherModel(roots, dir, manifest);
        issues.push(...g.metadataIssues);
        const metaDoc = g.facts.metadata?.doc;
        if (metaDoc)
          for (const p of g.metadataPending) issues.push(place(p, metaDoc, { kind: "CustomModel", name }));
        models.push({
          ...base,
          manifest,
          facts: g.facts,
          hasRequirements: g.hasRequirements,
          ...(g.listing ? { listing: g.listing } : {}),
        });
        break;
      }
      case "ExecutionEnvironment":
        environments.push({
          ...base,
          manifest,
          facts: await gatherEnvironment(roots, dir, manifest.spec.dockerContext),
        });
        break;
      case "Dataset": {
        const file = manifest.spec.file;
        datasets.push({
          ...base,
          manifest,
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
    report: (r: RuleIssue) => issues.push(place(r, r.at, { kind: r.kind, name: r.name })),
  });

  const project: Project = {
    root,
    namespace,
    config,
    ...(loadedConfig.file ? { configFile: loadedConfig.file } : {}),
    models: models.map((m) => loadedModel(m)),
    environments: environments.map((e) => loadedEnvironment(e)),
    datasets: datasets.map((d) => loadedDataset(d)),
  };
  if (opts.hash)
    await hashProject(project, models, environments, datasets, roots, opts.cacheDir ?? join(root, CACHE_DIR));

  const unique = dedupe(issues).sort(byLocation);
  return { ok: !hasErrors(unique), project, issues: unique, notes };
}

function loadedModel(m: ModelEntry & { hasRequirements: boolean }): LoadedModel {
  const labels = m.manifest.spec.classLabels ?? m.facts.classLabelsFile?.labels;
  const metadata = m.facts.metadata?.parsed;
  return {
    manifest: m.manifest,
    file: m.doc.file,
    line: m.doc.line,
    documentIndex: m.doc.index,
    locate: locator(m.doc),
    key: m.key,
    name: m.name,
    sourceDir: m.facts.source.abs,
    hasRequirements: m.hasRequirements,
    ...(metadata ? { metadata } : {}),
    ...(labels ? { classLabels: labels } : {}),
  };
}

function loadedEnvironment(e: EnvironmentEntry): LoadedEnvironment {
  return {
    manifest: e.manifest,
    file: e.doc.file,
    line: e.doc.line,
    documentIndex: e.doc.index,
    locate: locator(e.doc),
    key: e.key,
    name: e.name,
    dockerContextDir: e.facts.context.abs,
  };
}

function loadedDataset(d: DatasetEntry): LoadedDataset {
  return {
    manifest: d.manifest,
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
