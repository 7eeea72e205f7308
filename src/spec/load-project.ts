import { readFile, realpath, stat } from "node:fs/promises";
import { basename, dirname, join, resolve } from "node:path";
import { CACHE_DIR, DigestCache } from "./digest-cache.js";
import { discoverManifestFiles } from "./discover.js";
import { gatherEnvironment, gatherModel, pathFact } from "./facts.js";
import type { Roots } from "./facts.js";
import { contextDigest } from "./fingerprint.js";
import { hasErrors } from "./issue.js";
import type { Issue, Note, PendingIssue } from "./issue.js";
import { classifyDocument, normaliseDocument } from "./normalise.js";
import type {
  LoadedDataset,
  LoadedEnvironment,
  LoadedModel,
  LoadOptions,
  LoadResult,
  Project,
} from "./project.js";
import { findProjectRoot, loadProjectConfig } from "./project-root.js";
import { runRules } from "./rules/index.js";
import type { DatasetEntry, EnvironmentEntry, ModelEntry, RuleIssue } from "./rules/index.js";
import type { Manifest } from "./schema/manifest.js";
import { hashListedFiles, listSourceFiles } from "./source-files.js";
import type { ListedFile, SourceFile } from "./source-files.js";
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

function ioIssue(file: string, error: unknown): Issue {
  const reason = error instanceof Error ? error.message : String(error);
  return {
    code: "io-error",
    severity: "error",
    file,
    line: 1,
    column: 1,
    path: [],
    message: `could not read what this manifest needs: ${reason}; check the file permissions`,
  };
}

function identify(data: unknown): { kind?: string; name?: string } {
  const record = (typeof data === "object" && data !== null ? data : {}) as Record<string, unknown>;
  const metadata = record["metadata"] as Record<string, unknown> | undefined;
  const kind = record["kind"];
  const name = typeof metadata === "object" && metadata !== null ? metadata["name"] : undefined;
  return { ...(typeof kind === "string" ? { kind } : {}), ...(typeof name === "string" ? { name } : {}) };
}

/**
 * Places a pending issue at its node. A CustomModel field that the manifest does not contain but
 * drgitops.yaml `defaults` does came from the defaults, so the issue points there.
 */
function placer(configDoc: YamlDoc | undefined) {
  return (p: PendingIssue, doc: YamlDoc, ident: { kind?: string; name?: string }): Issue => {
    let target = doc;
    let pos = locate(doc, p.path, p.atKey);
    if (!pos.exact && configDoc && ident.kind === "CustomModel" && p.path[0] === "spec") {
      const inDefaults = locate(configDoc, ["defaults", ...p.path.slice(1)], p.atKey);
      if (inDefaults.exact) {
        target = configDoc;
        pos = inDefaults;
      }
    }
    return {
      code: p.code,
      severity: p.severity ?? "error",
      file: target.file,
      line: pos.line,
      column: pos.column,
      ...(ident.kind !== undefined ? { kind: ident.kind } : {}),
      ...(ident.name !== undefined ? { name: ident.name } : {}),
      path: p.path,
      message: p.message,
    };
  };
}

function dedupe(issues: Issue[]): Issue[] {
  const seen = new Set<string>();
  return issues.filter((i) => {
    // A bad default in drgitops.yaml is found once per model; say it once.
    const id = `${i.file}:${i.line}:${i.column}:${i.code}:${i.message}`;
    if (seen.has(id)) return false;
    seen.add(id);
    return true;
  });
}

function byLocation(a: Issue, b: Issue): number {
  return a.file !== b.file ? (a.file < b.file ? -1 : 1) : a.line - b.line || a.column - b.column;
}

function loadedModel(m: ModelEntry & { hasRequirements: boolean }): LoadedModel {
  const labels = m.manifest.spec.classLabels ?? m.facts.classLabelsFile?.labels;
  const metadata = m.facts.metadata?.parsed;
  return {
    manifest: m.manifest,
    file: m.doc.file,
    line: m.doc.line,
    documentIndex: m.doc.index,
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
    key: d.key,
    name: d.name,
    ...(d.facts.file ? { filePath: d.facts.file.abs } : {}),
  };
}

/** Fills in digests for everything whose paths are valid; invalid ones keep no digest. */
async function hashProject(
  project: Project,
  models: readonly { facts: ModelEntry["facts"]; listing?: ListedFile[] }[],
  environments: readonly EnvironmentEntry[],
  datasets: readonly DatasetEntry[],
  roots: Roots,
  cacheDir: string,
): Promise<void> {
  const cache = await DigestCache.load(cacheDir);
  // One pool over every file of the project: many small models hash as fast as one big one.
  const batches: { files: ListedFile[]; done: (hashed: SourceFile[]) => void }[] = [];
  models.forEach((m, i) => {
    const loaded = project.models[i];
    if (loaded && m.listing && m.facts.escapingLinks.length === 0) {
      batches.push({ files: m.listing, done: (hashed) => (loaded.files = hashed) });
    }
  });
  await mapLimit([...environments.entries()], 8, async ([i, e]) => {
    const loaded = project.environments[i];
    if (!loaded || e.facts.context.problem !== undefined) return;
    const listing = await listSourceFiles(e.facts.context.abs, {}, { root: roots.realRoot });
    if (listing.escapes.length > 0) return;
    batches.push({
      files: listing.files,
      done: (hashed) => {
        loaded.files = hashed;
        loaded.contextDigest = contextDigest(hashed);
      },
    });
  });
  await mapLimit([...datasets.entries()], 32, async ([i, d]) => {
    const loaded = project.datasets[i];
    const fact = d.facts.file;
    if (!loaded || fact === undefined || fact.problem !== undefined) return;
    const s = await stat(fact.abs);
    batches.push({
      files: [{ path: fact.written, absPath: fact.abs, size: s.size, mtimeMs: s.mtimeMs, ino: s.ino }],
      done: ([hashed]) => {
        if (hashed === undefined) return;
        loaded.sha256 = hashed.sha256;
        loaded.size = hashed.size;
      },
    });
  });
  const hashed = await hashListedFiles(
    batches.flatMap((b) => b.files),
    cache,
    16,
  );
  let offset = 0;
  for (const batch of batches) {
    batch.done(hashed.slice(offset, offset + batch.files.length));
    offset += batch.files.length;
  }
  await cache.save();
}

/** `Promise.all(items.map(fn))` with at most `limit` calls in flight (bounded open files). */
async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    for (let i = next++; i < items.length; i = next++) out[i] = await fn(items[i] as T);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}
