import { readFile, realpath } from "node:fs/promises";
import { basename, dirname, join, resolve } from "node:path";
import { kinds } from "../kinds/index.js";
import { CACHE_DIR } from "./digest-cache.js";
import { discoverManifestFiles } from "./discover.js";
import { hashProject } from "./hash-project.js";
import { hasErrors } from "./issue.js";
import type { FieldPath, Issue, Note } from "./issue.js";
import { gatherPaths, type Roots } from "./local-paths.js";
import { mapLimit } from "./map-limit.js";
import { classifyDocument, normaliseDocument, type AnyManifest } from "./normalise.js";
import type { LoadedResource, LoadOptions, LoadResult, ManifestLocation, Project } from "./project.js";
import { byLocation, capPerFile, dedupe, identify, ioIssue, placer } from "./place-issues.js";
import { loadProjectConfig, locateProjectRoot } from "./project-root.js";
import { runRules, type Entry, type RuleIssue } from "./rules/index.js";
import { touchesInvalid } from "./salvage.js";
import { locate, parseYaml } from "./yaml-doc.js";
import type { YamlDoc } from "./yaml-doc.js";

/** A judged document; `complete` when it passed its schema whole (only those make the project). */
interface Judged extends Entry<AnyManifest> {
  complete?: AnyManifest;
}

/**
 * Loads and validates a project: discovery → parse → normalise (each kind's schema) → local paths
 * (fs) → rules. Never throws on bad manifests: every problem is an issue, and `ok` says whether any
 * is an error. Nothing here names a kind: each kind of the registry declares its schema, paths,
 * references and rules.
 */
export async function loadProject(opts: LoadOptions): Promise<LoadResult> {
  const cwd = resolve(opts.cwd);
  const { root, source: rootSource } = await locateProjectRoot(cwd);
  const roots: Roots = { root, realRoot: await realpath(root), rootSource };
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
  const documents: { doc: YamlDoc; manifest: AnyManifest; complete?: AnyManifest; invalid?: FieldPath[] }[] =
    [];
  const unjudged: { kind: string; name: string }[] = [];
  // Reading overlaps (the disk and the thread pool work in parallel); parsing stays in file order.
  const texts = await mapLimit(discovered.files, 32, async (file) => {
    const bytes = await readFile(file).catch((error: unknown) => {
      issues.push(ioIssue(file, error));
      return undefined;
    });
    if (bytes === undefined) return undefined;
    const text = yamlText(bytes);
    if (text === undefined) issues.push(notTextIssue(file));
    return text;
  });
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
      const result = normaliseDocument(doc, kinds, config.defaults);
      for (const p of result.issues) issues.push(place(p, doc, ident));
      if (result.manifest) documents.push({ doc, manifest: result.manifest, complete: result.manifest });
      else if (result.salvaged) documents.push({ doc, manifest: result.salvaged.data, ...result.salvaged });
      else if (ident.kind !== undefined && ident.name !== undefined)
        unjudged.push({ kind: ident.kind, name: ident.name });
    }
  }

  const judged: Judged[] = [];
  await mapLimit(documents, 32, async ({ doc, manifest, complete, invalid }) => {
    const kind = kinds.find((k) => k.name === manifest.kind);
    if (kind === undefined) return;
    const name = manifest.metadata.name;
    try {
      const isBad = (path: FieldPath): boolean => invalid !== undefined && touchesInvalid(invalid, path);
      const gathered = await gatherPaths(roots, dirname(doc.file), kind.localPaths(manifest, isBad));
      issues.push(...gathered.issues);
      for (const { issue, doc: at } of gathered.pending)
        issues.push(place(issue, at, { kind: kind.name, name }));
      judged.push({
        kind: kind.name,
        doc,
        manifest,
        name,
        key: `${namespace}/${name}`,
        paths: gathered.paths,
        ...(invalid ? { invalid } : {}),
        ...(complete ? { complete } : {}),
      });
    } catch (error) {
      // An unreadable folder or file is a finding about this manifest, not a crash of the whole run.
      issues.push({
        ...ioIssue(doc.file, error),
        line: doc.line,
        column: doc.column,
        kind: kind.name,
        name,
      });
    }
  });
  // Paths were gathered concurrently; restore file order so output and duplicate detection are stable.
  judged.sort((a, b) =>
    a.doc.file === b.doc.file ? a.doc.index - b.doc.index : a.doc.file < b.doc.file ? -1 : 1,
  );

  runRules(
    {
      root,
      entries: judged,
      unjudged,
      report: (r: RuleIssue) => issues.push(place(r, r.at, { kind: r.kind, name: r.name })),
    },
    kinds,
  );

  const project: Project = {
    root,
    namespace,
    config,
    ...(loadedConfig.file ? { configFile: loadedConfig.file } : {}),
    resources: judged.flatMap((entry) => (entry.complete ? [loadedResource(entry, entry.complete)] : [])),
  };
  if (opts.hash) await hashProject(project, opts.cacheDir ?? join(root, CACHE_DIR));

  const unique = capPerFile(dedupe(issues).sort(byLocation));
  return { ok: !hasErrors(unique), project, issues: unique, notes };
}

const UTF8 = new TextDecoder("utf-8", { fatal: true });

/** A YAML file's text; undefined for binary content (a NUL byte, or bytes that are not UTF-8). */
function yamlText(bytes: Buffer): string | undefined {
  if (bytes.includes(0)) return undefined;
  try {
    return UTF8.decode(bytes);
  } catch {
    return undefined;
  }
}

function notTextIssue(file: string): Issue {
  return {
    code: "not-text",
    severity: "error",
    file,
    line: 1,
    column: 1,
    path: [],
    message:
      "this .yaml file is not UTF-8 text (binary content): rename it, or exclude its folder from the manifest paths",
  };
}

function loadedResource(entry: Judged, manifest: AnyManifest): LoadedResource {
  return {
    kind: entry.kind,
    manifest,
    file: entry.doc.file,
    line: entry.doc.line,
    documentIndex: entry.doc.index,
    locate: locator(entry.doc),
    key: entry.key,
    name: entry.name,
    paths: entry.paths,
  };
}

/** Positions for later layers (plan-time issues), from the parsed document kept in memory. */
function locator(doc: YamlDoc): ManifestLocation["locate"] {
  return (path) => {
    const { line, column } = locate(doc, [...path]);
    return { line, column };
  };
}
