import { readFileSync } from "node:fs";
import { realpath } from "node:fs/promises";
import { basename, dirname, resolve } from "node:path";
import { kinds } from "../kinds/index.js";
import { hasErrors } from "./issue.js";
import type { FieldPath, Issue, Note } from "./issue.js";
import { gatherPaths, type Roots } from "./local-paths.js";
import { classifyDocument, normaliseDocument, type AnyManifest } from "./normalise.js";
import type { LoadedResource, LoadOptions, LoadResult, ManifestLocation, Project } from "./project.js";
import { byLocation, capPerFile, dedupe, identify, ioIssue, placer } from "./place-issues.js";
import { loadProjectConfig, locateProjectRoot, type LoadedConfig } from "./project-root.js";
import { runRules, type Entry, type RuleIssue } from "./rules/index.js";
import { touchesInvalid } from "./salvage.js";
import { locate, parseYaml } from "./yaml-doc.js";
import type { YamlDoc } from "./yaml-doc.js";

/**
 * The loader's steps, each usable on its own: `loadProject` runs them once over every file, the
 * incremental loader of `watch` re-runs only the ones a file event touched. Discovery → read and
 * judge each file (parse, normalise) → gather each document's local paths (fs) → rules and assembly.
 */

/** What every step of one load shares: the root, drgitops.yaml, the namespace, the inputs. */
export interface LoadSetup {
  cwd: string;
  root: string;
  roots: Roots;
  loadedConfig: LoadedConfig;
  namespace: string;
  /** Absolute manifest paths (files or folders) to discover. */
  inputs: string[];
  /** Files never taken for manifests (drgitops.yaml). */
  skip: ReadonlySet<string>;
  place: ReturnType<typeof placer>;
}

/** Parses one YAML text (the parse cache, or `parseYaml`). */
export type ParseYaml = (file: string, text: string) => { docs: YamlDoc[]; issues: Issue[] };

export async function prepareLoad(
  opts: Pick<LoadOptions, "paths" | "cwd" | "namespace">,
): Promise<LoadSetup> {
  const cwd = resolve(opts.cwd);
  const { root, source: rootSource } = await locateProjectRoot(cwd);
  const roots: Roots = { root, realRoot: await realpath(root), rootSource };
  const loadedConfig = await loadProjectConfig(root);
  const { config } = loadedConfig;
  // Paths on the command line are relative to the cwd; those in drgitops.yaml to the project root.
  const inputs =
    opts.paths.length > 0
      ? opts.paths.map((p) => resolve(cwd, p))
      : config.paths
        ? config.paths.map((p) => resolve(root, p))
        : [cwd];
  return {
    cwd,
    root,
    roots,
    loadedConfig,
    namespace: opts.namespace ?? config.namespace ?? basename(root),
    inputs,
    skip: new Set(loadedConfig.file ? [loadedConfig.file] : []),
    place: placer(loadedConfig.doc),
  };
}

/** A document that passed classification and was schema-checked (salvaged when it has errors). */
export interface DocumentLoad {
  doc: YamlDoc;
  manifest: AnyManifest;
  /** Set when the document passed its schema whole: only those make the project. */
  complete?: AnyManifest;
  invalid?: FieldPath[];
}

/** One manifest file, read and judged: its documents, and what was found wrong with it. */
export interface FileLoad {
  file: string;
  issues: Issue[];
  notes: Note[];
  documents: DocumentLoad[];
  /** Documents too broken to judge (still valid targets of a ref). */
  unjudged: { kind: string; name: string }[];
}

/**
 * A manifest file's text; an unreadable or binary file is an issue, not a crash. Synchronous:
 * manifests are small, and one read call beats the four thread-pool round trips of a promise readFile.
 */
export function readText(file: string): string | Issue {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (error) {
    return ioIssue(file, error);
  }
  return yamlText(bytes) ?? notTextIssue(file);
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

/** Parses and schema-checks every document of one manifest file (no I/O). */
export function judgeFile(
  setup: LoadSetup,
  file: string,
  text: string,
  parse: ParseYaml = parseYaml,
): FileLoad {
  const out: FileLoad = { file, issues: [], notes: [], documents: [], unjudged: [] };
  const parsed = parse(file, text);
  out.issues.push(...parsed.issues);
  for (const doc of parsed.docs) {
    const cls = classifyDocument(doc.data);
    if (cls.type === "empty") continue;
    if (cls.type === "foreign") {
      out.notes.push({
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
      out.issues.push(setup.place(cls.issue, doc, ident));
      continue;
    }
    const result = normaliseDocument(doc, kinds, setup.loadedConfig.config.defaults);
    for (const p of result.issues) out.issues.push(setup.place(p, doc, ident));
    if (result.manifest) out.documents.push({ doc, manifest: result.manifest, complete: result.manifest });
    else if (result.salvaged) out.documents.push({ doc, manifest: result.salvaged.data, ...result.salvaged });
    else if (ident.kind !== undefined && ident.name !== undefined)
      out.unjudged.push({ kind: ident.kind, name: ident.name });
  }
  return out;
}

/** A judged document with its local paths resolved: what rules see. */
export interface JudgedEntry extends Entry<AnyManifest> {
  complete?: AnyManifest;
}

export interface GatheredDocument {
  /** Absent when the document's kind is unknown or its paths could not be read. */
  entry?: JudgedEntry;
  issues: Issue[];
}

/** Resolves, judges and reads the local paths one document names (the fs step). */
export function gatherDocument(
  setup: LoadSetup,
  { doc, manifest, complete, invalid }: DocumentLoad,
  parse: ParseYaml = parseYaml,
): GatheredDocument {
  const kind = kinds.find((k) => k.name === manifest.kind);
  if (kind === undefined) return { issues: [] };
  const name = manifest.metadata.name;
  const issues: Issue[] = [];
  try {
    const isBad = (path: FieldPath): boolean => invalid !== undefined && touchesInvalid(invalid, path);
    const gathered = gatherPaths(setup.roots, dirname(doc.file), kind.localPaths(manifest, isBad), parse);
    issues.push(...gathered.issues);
    for (const { issue, doc: at } of gathered.pending)
      issues.push(setup.place(issue, at, { kind: kind.name, name }));
    const entry: JudgedEntry = {
      kind: kind.name,
      doc,
      manifest,
      name,
      key: `${setup.namespace}/${name}`,
      paths: gathered.paths,
      ...(invalid ? { invalid } : {}),
      ...(complete ? { complete } : {}),
    };
    return { entry, issues };
  } catch (error) {
    // An unreadable folder or file is a finding about this manifest, not a crash of the whole run.
    issues.push({ ...ioIssue(doc.file, error), line: doc.line, column: doc.column, kind: kind.name, name });
    return { issues };
  }
}

/** File order, then document order: stable output and duplicate detection. */
export function byDocument(a: { doc: YamlDoc }, b: { doc: YamlDoc }): number {
  return a.doc.file === b.doc.file ? a.doc.index - b.doc.index : a.doc.file < b.doc.file ? -1 : 1;
}

/**
 * The last step: cross-document rules over every judged entry, then the project (complete
 * documents only) and the issues, deduplicated and in reading order. `issues` are those found so
 * far (drgitops.yaml, discovery, files, paths); entries must be in document order.
 */
export function assembleLoad(
  setup: LoadSetup,
  parts: {
    issues: readonly Issue[];
    notes: readonly Note[];
    entries: readonly JudgedEntry[];
    unjudged: readonly { kind: string; name: string }[];
  },
): LoadResult {
  const issues: Issue[] = [...parts.issues];
  runRules(
    {
      root: setup.root,
      entries: parts.entries,
      unjudged: parts.unjudged,
      report: (r: RuleIssue) => issues.push(setup.place(r, r.at, { kind: r.kind, name: r.name })),
    },
    kinds,
  );
  const { config } = setup.loadedConfig;
  const project: Project = {
    root: setup.root,
    namespace: setup.namespace,
    config,
    ...(setup.loadedConfig.file ? { configFile: setup.loadedConfig.file } : {}),
    resources: parts.entries.flatMap((entry) =>
      entry.complete ? [loadedResource(entry, entry.complete)] : [],
    ),
  };
  const unique = capPerFile(dedupe(issues).sort(byLocation));
  return { ok: !hasErrors(unique), project, issues: unique, notes: [...parts.notes] };
}

function loadedResource(entry: JudgedEntry, manifest: AnyManifest): LoadedResource {
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
