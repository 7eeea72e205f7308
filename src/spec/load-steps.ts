import { readFileSync } from "node:fs";
import { realpath } from "node:fs/promises";
import { basename, dirname, resolve } from "node:path";
import { kinds } from "../kinds/index.js";
import { changedScope, scopeId, type ChangedScope, type ScopeDocument } from "./changed-scope.js";
import { hasErrors } from "./issue.js";
import type { FieldPath, Issue, Note } from "./issue.js";
import { gatherPaths, type Roots } from "./local-paths.js";
import { classifyDocument, normaliseDocument, type AnyManifest } from "./normalise.js";
import type { LoadedResource, LoadOptions, LoadResult, ManifestLocation, Project } from "./project.js";
import { byLocation, capPerFile, dedupe, identify, ioIssue, placer } from "./place-issues.js";
import { loadProjectConfig, locateProjectRoot, type LoadedConfig } from "./project-root.js";
import { defaultsFor, profileOf } from "./profiles.js";
import type { Profile, ProjectConfig } from "./schema/project-config.js";
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
  /** The drgitops.yaml profile asked for (`--profile`) when it applies: its namespace and defaults. */
  profile?: { name: string; profile: Profile };
  /** The defaults merged under each CustomModel spec: drgitops.yaml's, then the profile's. */
  defaults: ReturnType<typeof defaultsFor>;
  /** Absolute manifest paths (files or folders) to discover. */
  inputs: string[];
  /** Files never taken for manifests (drgitops.yaml). */
  skip: ReadonlySet<string>;
  place: ReturnType<typeof placer>;
}

/** Parses one YAML text (the parse cache, or `parseYaml`). */
export type ParseYaml = (file: string, text: string) => { docs: YamlDoc[]; issues: Issue[] };

export async function prepareLoad(
  opts: Pick<LoadOptions, "paths" | "cwd" | "namespace" | "profile">,
): Promise<LoadSetup> {
  const cwd = resolve(opts.cwd);
  const { root, source: rootSource } = await locateProjectRoot(cwd);
  const roots: Roots = { root, realRoot: await realpath(root), rootSource };
  const loadedConfig = await loadProjectConfig(root);
  const { config } = loadedConfig;
  const profile = selectProfile(config, loadedConfig.issues.length > 0, opts.profile);
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
    namespace: opts.namespace ?? profile?.namespace ?? config.namespace ?? basename(root),
    ...(profile !== undefined && opts.profile !== undefined
      ? { profile: { name: opts.profile, profile } }
      : {}),
    defaults: defaultsFor(config, profile),
    inputs,
    skip: new Set(loadedConfig.file ? [loadedConfig.file] : []),
    place: placer(loadedConfig.doc, profile === undefined ? undefined : opts.profile),
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
    const result = normaliseDocument(doc, kinds, setup.defaults);
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
  /** Outside a `--changed-since` scope: judged for duplicates and references only, nothing read. */
  outOfScope?: boolean;
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
  scope?: ChangedScope,
): GatheredDocument {
  const kind = kinds.find((k) => k.name === manifest.kind);
  if (kind === undefined) return { issues: [] };
  const name = manifest.metadata.name;
  const key = `${setup.namespace}/${name}`;
  if (scope !== undefined && !scope.inScope.has(scopeId(kind.name, key))) {
    // Out of scope: judged for duplicates and references only; nothing it names is read.
    return { entry: { kind: kind.name, doc, manifest, name, key, paths: {}, outOfScope: true }, issues: [] };
  }
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
      key,
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
    scope?: ChangedScope;
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
    ...(setup.profile !== undefined ? { profile: setup.profile.name } : {}),
    config,
    ...(setup.loadedConfig.file ? { configFile: setup.loadedConfig.file } : {}),
    resources: parts.entries.flatMap((entry) =>
      entry.complete && entry.outOfScope !== true ? [loadedResource(entry, entry.complete)] : [],
    ),
  };
  const unique = capPerFile(dedupe(issues).sort(byLocation));
  return {
    ok: !hasErrors(unique),
    project,
    issues: unique,
    notes: [...parts.notes],
    ...(parts.scope ? { scope: parts.scope } : {}),
  };
}

/** `--changed-since`: which documents the change touches, decided before any of their files is read. */
export function changeScope(
  setup: LoadSetup,
  documents: readonly DocumentLoad[],
  changedFiles: readonly string[],
): ChangedScope {
  return changedScope(
    documents.map((d) => scopeDocument(d, setup.namespace)),
    changedFiles,
    setup.loadedConfig.file,
  );
}

/** What the change scope needs of a document: its file, the paths it names, what it references. */
function scopeDocument(d: DocumentLoad, namespace: string): ScopeDocument {
  const kind = kinds.find((k) => k.name === d.manifest.kind);
  const key = `${namespace}/${d.manifest.metadata.name}`;
  const isBad = (path: FieldPath): boolean => d.invalid !== undefined && touchesInvalid(d.invalid, path);
  const dir = dirname(d.doc.file);
  return {
    id: scopeId(d.manifest.kind, key),
    key,
    file: d.doc.file,
    localPaths: (kind?.localPaths(d.manifest, isBad) ?? []).map((spec) => resolve(dir, spec.written)),
    references: (kind?.references(d.manifest) ?? []).map((r) => scopeId(r.kind, `${namespace}/${r.name}`)),
  };
}

/**
 * The profile a load was asked for. The CLI has already refused an unknown name; with a broken
 * drgitops.yaml (reported as issues) there is nothing to select from.
 */
function selectProfile(
  config: ProjectConfig,
  broken: boolean,
  name: string | undefined,
): Profile | undefined {
  if (name === undefined || broken) return undefined;
  const profile = profileOf(config, name);
  if (profile === undefined)
    throw new Error(`profile "${name}" is not defined in drgitops.yaml (the caller must check it first)`);
  return profile;
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
