import { readFileSync } from "node:fs";
import { basename, join } from "node:path";
import { CACHE_DIR, DigestCache } from "./digest-cache.js";
import { discoverManifestFiles } from "./discover.js";
import { hashResolvedPaths } from "./hash-project.js";
import type { Issue, Note } from "./issue.js";
import type { ResolvedPath } from "./local-paths.js";
import {
  assembleLoad,
  gatherDocument,
  judgeFile,
  prepareLoad,
  readText,
  type DocumentLoad,
  type FileLoad,
  type GatheredDocument,
  type JudgedEntry,
  type LoadSetup,
} from "./load-steps.js";
import { ParseCache } from "./parse-cache.js";
import { PathSet } from "./path-set.js";
import type { LoadOptions, LoadResult } from "./project.js";
import { PROJECT_CONFIG_FILE } from "./schema/project-config.js";
import { isInside } from "./source-files.js";

/** A change on disk, as a file watcher reports it. */
export interface FileEvent {
  /**
   * As chokidar reports them, and `rescan`: anything at or under the path may have changed
   * unreported (a watcher has just begun to watch it), so read it all again.
   */
  type: "add" | "change" | "unlink" | "addDir" | "unlinkDir" | "rescan";
  path: string;
}

/** What one update did; `changed` is false when the load equals the previous one (a touch, a no-op save). */
export interface IncrementalUpdate {
  result: LoadResult;
  changed: boolean;
  /** drgitops.yaml changed: everything was loaded again. */
  reloaded: boolean;
  /** Manifest files read and documents whose local paths were gathered again (the incremental work). */
  filesRead: number;
  documentsGathered: number;
}

interface DocumentRecord {
  source: DocumentLoad;
  gathered: GatheredDocument;
  /** What the plan depends on in the gathered paths (digests, lines, problems), to tell a real change. */
  signature: string;
}

interface FileRecord {
  text: string | Issue;
  load?: FileLoad;
  documents: DocumentRecord[];
}

const YAML_FILE = /\.ya?ml$/i;
/** Never watched: tool state; `node_modules` only where no manifest points into it. */
const IGNORED_DIRS = new Set([".git", ".drgitops"]);

/**
 * A project kept loaded in memory for `watch`: parsed documents, their issues, gathered local paths
 * and file digests are kept per file, and an update re-reads only the manifest files and re-gathers
 * only the documents a batch of file events touched, then re-runs the cross-document rules. The
 * result is the one `loadProject({hash: true})` would give for the files as they are now.
 */
export class IncrementalProject {
  private setup!: LoadSetup;
  private files = new Map<string, FileRecord>();
  private discovered: string[] = [];
  private discoveryIssues: Issue[] = [];
  private current!: LoadResult;

  private constructor(
    private readonly options: Pick<LoadOptions, "paths" | "cwd" | "namespace" | "profile" | "cacheDir">,
    private readonly digests: DigestCache,
    private readonly parser: ParseCache,
  ) {}

  static async open(
    options: Pick<LoadOptions, "paths" | "cwd" | "namespace" | "profile" | "cacheDir">,
  ): Promise<IncrementalProject> {
    const setup = await prepareLoad(options);
    const cacheDir = options.cacheDir ?? join(setup.root, CACHE_DIR);
    const project = new IncrementalProject(
      { ...options, cacheDir },
      await DigestCache.load(cacheDir),
      await ParseCache.load(cacheDir),
    );
    await project.loadAll(setup);
    return project;
  }

  get result(): LoadResult {
    return this.current;
  }

  get root(): string {
    return this.setup.root;
  }

  /** drgitops.yaml (watched even when absent: creating it changes defaults and paths). */
  get configFile(): string {
    return this.setup.loadedConfig.file ?? join(this.setup.root, PROJECT_CONFIG_FILE);
  }

  /** Applies a batch of file events; reads only what they touched. */
  async update(events: readonly FileEvent[]): Promise<IncrementalUpdate> {
    if (events.some((e) => e.path === this.configFile) && this.configChanged()) {
      const setup = await prepareLoad(this.options);
      const gathered = await this.loadAll(setup);
      return { result: this.current, changed: true, reloaded: true, ...gathered };
    }
    let changed = false;
    if (events.some((e) => this.mayChangeDiscovery(e))) {
      const before = this.discovered.join("\0");
      await this.discover();
      changed ||= this.discovered.join("\0") !== before;
    }
    // An event on a file, or on a folder above it (a folder that appeared, or one a watcher has
    // just begun to watch, whose contents may be new).
    const touched = new PathSet(events.map((e) => e.path));
    const next = new Map<string, FileRecord>();
    const fresh = new Set<DocumentRecord>();
    let filesRead = 0;
    for (const file of this.discovered) {
      const old = this.files.get(file);
      if (old === undefined || touched.covers(file)) {
        filesRead++;
        const text = readText(file);
        if (old === undefined || text !== old.text) {
          changed = true;
          const record = this.judge(file, text);
          next.set(file, record);
          for (const d of record.documents) fresh.add(d);
          continue;
        }
      }
      next.set(file, old);
    }
    // Documents of unchanged files whose model source, docker context or data file was touched.
    const regathered: { before: string; record: DocumentRecord }[] = [];
    for (const record of next.values())
      for (const [i, doc] of record.documents.entries()) {
        if (fresh.has(doc) || !touches(doc.gathered, touched)) continue;
        const again = this.gather(doc.source);
        record.documents[i] = again;
        regathered.push({ before: doc.signature, record: again });
      }
    this.files = next;
    await this.hash([...fresh, ...regathered.map((r) => r.record)]);
    changed ||= regathered.some((r) => r.record.signature !== r.before);
    this.assemble();
    return {
      result: this.current,
      changed,
      reloaded: false,
      filesRead,
      documentsGathered: fresh.size + regathered.length,
    };
  }

  /**
   * What a watcher must follow: the manifest inputs, drgitops.yaml and every local path a manifest
   * names, whether it exists or not (creating a missing one is a change too).
   */
  wantedPaths(): string[] {
    const wanted = new Set<string>([...this.setup.inputs, this.configFile]);
    for (const path of this.localPaths()) wanted.add(path.abs);
    return [...wanted].sort();
  }

  /** True for a path no watcher should descend into (tool state, unreferenced node_modules). */
  ignores(path: string): boolean {
    const name = basename(path);
    if (IGNORED_DIRS.has(name)) return true;
    if (name !== "node_modules") return false;
    return !this.localPaths().some((p) => isInside(path, p.abs) || isInside(p.abs, path));
  }

  /** drgitops.yaml reads otherwise than when the project was set up (or appeared, or went). */
  private configChanged(): boolean {
    let text: string | undefined;
    try {
      text = readFileSync(this.configFile, "utf8");
    } catch {
      text = undefined;
    }
    return text !== this.setup.loadedConfig.text;
  }

  /** Writes the digest and parse caches (a watch persists them now and then, not on every save). */
  async persist(): Promise<void> {
    await Promise.all([this.digests.save(), this.parser.save()]);
  }

  private localPaths(): ResolvedPath[] {
    return [...this.files.values()].flatMap((f) =>
      f.documents.flatMap((d) => Object.values(d.gathered.entry?.paths ?? {})),
    );
  }

  private async loadAll(setup: LoadSetup): Promise<{ filesRead: number; documentsGathered: number }> {
    this.setup = setup;
    await this.discover();
    this.files = new Map();
    const documents: DocumentRecord[] = [];
    for (const file of this.discovered) {
      const record = this.judge(file, readText(file));
      this.files.set(file, record);
      documents.push(...record.documents);
    }
    await this.hash(documents);
    this.assemble();
    return { filesRead: this.discovered.length, documentsGathered: documents.length };
  }

  private async discover(): Promise<void> {
    const found = await discoverManifestFiles(this.setup.inputs, this.setup.cwd, { skip: this.setup.skip });
    this.discovered = found.files;
    this.discoveryIssues = found.issues;
  }

  /** A YAML file appearing or going, or a folder (which may hold some), inside the manifest inputs. */
  private mayChangeDiscovery(e: FileEvent): boolean {
    if (e.type === "change") return false;
    if (this.setup.inputs.includes(e.path)) return true;
    if (e.type !== "addDir" && e.type !== "unlinkDir" && e.type !== "rescan" && !YAML_FILE.test(e.path))
      return false;
    return this.setup.inputs.some((input) => isInside(input, e.path) || isInside(e.path, input));
  }

  private judge(file: string, text: string | Issue): FileRecord {
    if (typeof text !== "string") return { text, documents: [] };
    const load = judgeFile(this.setup, file, text, this.parser.parse);
    return { text, load, documents: load.documents.map((d) => this.gather(d)) };
  }

  private gather(source: DocumentLoad): DocumentRecord {
    return { source, gathered: gatherDocument(this.setup, source, this.parser.parse), signature: "" };
  }

  private async hash(records: readonly DocumentRecord[]): Promise<void> {
    // Only complete documents enter the project, and only theirs are hashed (as loadProject does).
    const paths = records.flatMap((r) =>
      r.gathered.entry?.complete ? Object.values(r.gathered.entry.paths) : [],
    );
    await hashResolvedPaths(paths, this.digests);
    for (const r of records) r.signature = signatureOf(r.gathered);
  }

  /** Rules run over every entry again: they are cross-document (duplicates, dangling refs). */
  private assemble(): void {
    const issues: Issue[] = [...this.setup.loadedConfig.issues, ...this.discoveryIssues];
    const notes: Note[] = [];
    const entries: JudgedEntry[] = [];
    const unjudged: { kind: string; name: string }[] = [];
    for (const file of this.discovered) {
      const record = this.files.get(file);
      if (record === undefined) continue;
      if (typeof record.text !== "string") issues.push(record.text);
      if (record.load) {
        issues.push(...record.load.issues);
        notes.push(...record.load.notes);
        unjudged.push(...record.load.unjudged);
      }
      for (const d of record.documents) issues.push(...d.gathered.issues);
      for (const d of record.documents) if (d.gathered.entry) entries.push(d.gathered.entry);
    }
    this.current = assembleLoad(this.setup, { issues, notes, entries, unjudged });
  }
}

/** True when an event is at, inside or above one of the local paths a document gathered. */
function touches(gathered: GatheredDocument, events: PathSet): boolean {
  // A document whose paths could not be read at all is re-tried on any event.
  if (gathered.entry === undefined) return gathered.issues.length > 0;
  return Object.values(gathered.entry.paths).some((p) => events.meets(p.abs));
}

function signatureOf(gathered: GatheredDocument): string {
  const paths = Object.entries(gathered.entry?.paths ?? {}).map(([role, p]) => [
    role,
    p.problem ?? null,
    p.files?.map((f) => `${f.path}:${f.sha256}`) ?? p.listing?.map((f) => f.path) ?? null,
    p.lines ?? null,
    p.escapes ?? null,
    p.hasRequired ?? null,
    p.metadata?.parsed ?? null,
  ]);
  return JSON.stringify([paths, gathered.issues.map((i) => `${i.line}:${i.column}:${i.code}:${i.message}`)]);
}
