import { join } from "node:path";
import { setImmediate as nextTurn } from "node:timers/promises";
import { CACHE_DIR } from "./digest-cache.js";
import { discoverManifestFiles } from "./discover.js";
import { hashProject } from "./hash-project.js";
import type { Issue, Note } from "./issue.js";
import {
  assembleLoad,
  byDocument,
  changeScope,
  gatherDocument,
  judgeFile,
  prepareLoad,
  readText,
} from "./load-steps.js";
import type { DocumentLoad, JudgedEntry } from "./load-steps.js";
import { ParseCache } from "./parse-cache.js";
import type { LoadOptions, LoadResult } from "./project.js";

/**
 * Loads and validates a project: discovery → parse → normalise (each kind's schema) → local paths
 * (fs) → rules. Never throws on bad manifests: every problem is an issue, and `ok` says whether any
 * is an error. Nothing here names a kind: each kind of the registry declares its schema, paths,
 * references and rules. The steps live in load-steps.ts (watch re-runs them per file).
 */
export async function loadProject(opts: LoadOptions): Promise<LoadResult> {
  const setup = await prepareLoad(opts);
  const cacheDir = opts.cacheDir ?? join(setup.root, CACHE_DIR);
  const issues: Issue[] = [...setup.loadedConfig.issues];
  const notes: Note[] = [];
  const discovered = await discoverManifestFiles(setup.inputs, setup.cwd, { skip: setup.skip });
  issues.push(...discovered.issues);

  // Parsed YAML is kept by content digest between runs: an unchanged file is not parsed again.
  const parser = await ParseCache.load(cacheDir);
  const parse = parser.parse;
  // Documents with schema errors are judged too, on their valid fields, but never enter the project.
  const documents: DocumentLoad[] = [];
  const unjudged: { kind: string; name: string }[] = [];
  const breathe = yielder();
  for (const file of discovered.files) {
    await breathe();
    const text = readText(file);
    if (typeof text !== "string") {
      issues.push(text);
      continue;
    }
    const judged = judgeFile(setup, file, text, parse);
    issues.push(...judged.issues);
    notes.push(...judged.notes);
    documents.push(...judged.documents);
    unjudged.push(...judged.unjudged);
  }

  const scope =
    opts.changedFiles === undefined ? undefined : changeScope(setup, documents, opts.changedFiles);
  const entries: JudgedEntry[] = [];
  for (const d of documents) {
    await breathe();
    const g = gatherDocument(setup, d, parse, scope);
    issues.push(...g.issues);
    if (g.entry) entries.push(g.entry);
  }
  // Restore file order so output and duplicate detection are stable.
  entries.sort(byDocument);
  const result = assembleLoad(setup, { issues, notes, entries, unjudged, ...(scope ? { scope } : {}) });
  if (opts.hash) await hashProject(result.project, cacheDir);
  await parser.save();
  return result;
}

/**
 * Loading is synchronous file by file (a sync stat costs microseconds, a promise through the thread
 * pool tens), so it lets the event loop run every few milliseconds: the live listing that `plan`
 * starts before it (cli/shared.ts) is read and parsed while the files are, not after them.
 */
function yielder(everyMs = 1): () => Promise<void> {
  let last = performance.now();
  return async () => {
    if (performance.now() - last < everyMs) return;
    await nextTurn();
    last = performance.now();
  };
}
