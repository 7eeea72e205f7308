import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { VERSION } from "../version.js";
import { sha256Hex } from "./digest.js";
import type { Issue } from "./issue.js";
import { lazyYamlDoc, parseYaml, type YamlDoc } from "./yaml-doc.js";

const CACHE_FILE = "parsed.json";
/** Bumped whenever what parseYaml returns for a text changes (its issues, its data). */
const FORMAT = 3;
const DEFAULT_MAX_ENTRIES = 50_000;
/** A hit refreshes its entry's age at most this often, so a no-change run writes nothing. */
const TOUCH_AFTER_MS = 24 * 3600_000;

/** One parsed text: its documents' data and starts, and its syntax issues (without the file). */
interface Entry {
  /** [index, line, column, data] of every document parseYaml returned; no data: an empty document. */
  docs: ([number, number, number] | [number, number, number, unknown])[];
  issues: Omit<Issue, "file">[];
  usedAt: number;
}

/**
 * YAML texts parsed before, by the SHA-256 of their content (`.drgitops/cache/parsed.json`): YAML
 * parsing is most of what loading costs, and most manifests do not change between runs. A hit gives
 * the same documents and issues as parsing; the YAML nodes, needed only to place an issue, are
 * parsed lazily. Content addressing has no "racily clean" case, unlike a cache keyed by mtime.
 * Never fails a run: an unreadable or malformed cache starts empty, a failed save is ignored.
 */
export class ParseCache {
  private readonly entries: Map<string, Entry>;
  private dirty = false;
  hits = 0;
  misses = 0;

  private constructor(
    private readonly file: string | undefined,
    entries: Map<string, Entry>,
    private readonly maxEntries = DEFAULT_MAX_ENTRIES,
  ) {
    this.entries = entries;
  }

  static inMemory(): ParseCache {
    return new ParseCache(undefined, new Map());
  }

  static async load(dir: string, options: { maxEntries?: number } = {}): Promise<ParseCache> {
    const file = join(dir, CACHE_FILE);
    const entries = new Map<string, Entry>();
    try {
      const body = JSON.parse(await readFile(file, "utf8")) as unknown;
      if (
        isRecord(body) &&
        body["format"] === FORMAT &&
        body["version"] === VERSION &&
        isRecord(body["entries"])
      )
        for (const [key, value] of Object.entries(body["entries"]))
          if (isEntry(value)) entries.set(key, value);
    } catch {
      // Missing or unreadable: start empty.
    }
    return new ParseCache(file, entries, options.maxEntries);
  }

  get size(): number {
    return this.entries.size;
  }

  /** parseYaml, answered from the cache when this exact text was parsed before. */
  readonly parse = (file: string, text: string): { docs: YamlDoc[]; issues: Issue[] } => {
    const key = sha256Hex(text);
    const entry = this.entries.get(key);
    if (entry !== undefined) {
      this.hits++;
      const now = Date.now();
      if (now - entry.usedAt > TOUCH_AFTER_MS) {
        entry.usedAt = now;
        this.dirty = true;
      }
      const shared = {};
      return {
        // A fresh copy each time: callers may keep or change what they are given.
        docs: entry.docs.map(([index, line, column, ...data]) =>
          lazyYamlDoc(
            file,
            text,
            { index, line, column, data: data.length === 0 ? undefined : structuredClone(data[0]) },
            shared,
          ),
        ),
        issues: entry.issues.map((i) => ({ ...i, file })),
      };
    }
    this.misses++;
    const parsed = parseYaml(file, text);
    if (parsed.docs.every((d) => d.data === undefined || jsonSafe(d.data))) {
      this.entries.set(key, {
        docs: parsed.docs.map((d) =>
          d.data === undefined
            ? [d.index, d.line, d.column]
            : [d.index, d.line, d.column, structuredClone(d.data)],
        ),
        issues: parsed.issues.map(({ file: _file, ...rest }) => rest),
        usedAt: Date.now(),
      });
      this.dirty = true;
    }
    return parsed;
  };

  /** Writes atomically (temp file + rename); the least recently used entries go beyond the bound. */
  async save(): Promise<void> {
    if (this.file === undefined || !this.dirty) return;
    let kept = [...this.entries];
    if (kept.length > this.maxEntries)
      kept = kept.sort((a, b) => b[1].usedAt - a[1].usedAt).slice(0, this.maxEntries);
    const body = { format: FORMAT, version: VERSION, entries: Object.fromEntries(kept) };
    const temp = `${this.file}.${process.pid}.${Date.now()}.tmp`;
    try {
      await mkdir(join(this.file, ".."), { recursive: true });
      await writeFile(temp, JSON.stringify(body));
      await rename(temp, this.file);
      this.dirty = false;
    } catch {
      // A read-only checkout only loses the speed-up.
    }
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function isEntry(value: unknown): value is Entry {
  if (!isRecord(value) || typeof value["usedAt"] !== "number") return false;
  const { docs, issues } = value;
  return (
    Array.isArray(docs) &&
    docs.every(
      (d) =>
        Array.isArray(d) &&
        (d.length === 3 || d.length === 4) &&
        typeof d[0] === "number" &&
        typeof d[1] === "number" &&
        typeof d[2] === "number",
    ) &&
    Array.isArray(issues) &&
    issues.every((i) => isRecord(i) && typeof i["code"] === "string" && typeof i["message"] === "string")
  );
}

/** Data that survives JSON unchanged: plain objects, arrays, strings, booleans, null, finite numbers. */
function jsonSafe(value: unknown): boolean {
  if (value === null || typeof value === "string" || typeof value === "boolean") return true;
  if (typeof value === "number") return Number.isFinite(value) && !Object.is(value, -0);
  if (Array.isArray(value)) return value.every(jsonSafe);
  if (typeof value !== "object" || Object.getPrototypeOf(value) !== Object.prototype) return false;
  for (const [key, v] of Object.entries(value)) if (key === "__proto__" || !jsonSafe(v)) return false;
  return true;
}
