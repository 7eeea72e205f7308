import { readFile, rename, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { makeStateDir, STATE_DIR } from "./state-dir.js";

export const CACHE_DIR = `${STATE_DIR}/cache`;
const CACHE_FILE = "digests.json";

/**
 * Filesystems store mtimes coarsely; a file rewritten within this window of being hashed could keep
 * its size and mtime ("racily clean", as git calls it), so such entries are re-hashed next time.
 */
const RACY_WINDOW_MS = 2000;

/** Entries kept on save; the least recently hashed go first, so files long gone do not pile up. */
const DEFAULT_MAX_ENTRIES = 200_000;

/** [path, size, mtimeMs, ino, sha256 hex, hashedAt (ms since epoch)]: a row of the file as it is. */
type Entry = [string, number, number, number, string, number];

const isRow = (value: unknown): value is Entry =>
  Array.isArray(value) &&
  value.length === 6 &&
  typeof value[0] === "string" &&
  typeof value[1] === "number" &&
  typeof value[2] === "number" &&
  typeof value[3] === "number" &&
  typeof value[4] === "string" &&
  typeof value[5] === "number";

/**
 * The entries of a cache file's JSON; a file of another version or shape gives none, and an entry of
 * the wrong shape is dropped. Checked by hand: a zod schema over 20,000 entries was 74 ms of every
 * `drgitops plan` on the bench's repository. Version 2 is a list of rows (parsed in half the time of
 * version 1's object of 20,000 path keys, which is still read so that an upgrade re-hashes nothing).
 */
function entriesOf(body: unknown): Map<string, Entry> {
  const entries = new Map<string, Entry>();
  if (typeof body !== "object" || body === null) return entries;
  const { version, entries: raw } = body as { version?: unknown; entries?: unknown };
  if (version === 2 && Array.isArray(raw)) {
    for (const row of raw as unknown[]) if (isRow(row)) entries.set(row[0], row);
  } else if (version === 1 && typeof raw === "object" && raw !== null && !Array.isArray(raw)) {
    for (const [path, entry] of Object.entries(raw)) {
      const row: unknown = Array.isArray(entry) ? [path, ...(entry as unknown[])] : undefined;
      if (isRow(row)) entries.set(path, row);
    }
  }
  return entries;
}

export interface FileStamp {
  size: number;
  mtimeMs: number;
  ino: number;
}

/** Per-file SHA-256 digests keyed by (path, size, mtime, inode), persisted between runs like git's index. */
export class DigestCache {
  private readonly entries: Map<string, Entry>;
  private dirty = false;
  hits = 0;
  misses = 0;

  private constructor(
    readonly file: string | undefined,
    entries: Map<string, Entry>,
    private readonly maxEntries = DEFAULT_MAX_ENTRIES,
  ) {
    this.entries = entries;
  }

  /** An unpersisted cache (tests, one-off hashing). */
  static inMemory(): DigestCache {
    return new DigestCache(undefined, new Map());
  }

  /** Loads `<dir>/digests.json`; a missing or unreadable file starts an empty cache, never fails. */
  static async load(dir: string, options: { maxEntries?: number } = {}): Promise<DigestCache> {
    const file = join(dir, CACHE_FILE);
    try {
      const body = JSON.parse(await readFile(file, "utf8")) as unknown;
      const cache = new DigestCache(file, entriesOf(body), options.maxEntries);
      // A version 1 file is rewritten as version 2 on the next save, even with nothing new in it.
      cache.dirty = (body as { version?: unknown } | null)?.version === 1 && cache.size > 0;
      return cache;
    } catch {
      return new DigestCache(file, new Map(), options.maxEntries);
    }
  }

  get size(): number {
    return this.entries.size;
  }

  lookup(absPath: string, stamp: FileStamp): string | undefined {
    const entry = this.entries.get(absPath);
    const fresh =
      entry !== undefined &&
      entry[1] === stamp.size &&
      entry[2] === stamp.mtimeMs &&
      entry[3] === stamp.ino &&
      stamp.mtimeMs < entry[5] - RACY_WINDOW_MS;
    if (fresh) this.hits++;
    else this.misses++;
    return fresh ? entry[4] : undefined;
  }

  store(absPath: string, stamp: FileStamp, sha256: string, hashedAt = Date.now()): void {
    this.entries.set(absPath, [absPath, stamp.size, stamp.mtimeMs, stamp.ino, sha256, hashedAt]);
    this.dirty = true;
  }

  /** Writes atomically (temp file + rename) so a crash or a concurrent run never leaves half a file. */
  async save(): Promise<void> {
    if (this.file === undefined || !this.dirty) return;
    const dir = join(this.file, "..");
    await makeStateDir(dir);
    const temp = `${this.file}.${process.pid}.${Date.now()}.tmp`;
    let kept = [...this.entries.values()];
    if (kept.length > this.maxEntries) {
      kept = kept.sort((a, b) => b[5] - a[5]).slice(0, this.maxEntries);
      this.entries.clear();
      for (const row of kept) this.entries.set(row[0], row);
    }
    const body = { version: 2, entries: kept };
    await writeFile(temp, JSON.stringify(body));
    await rename(temp, this.file);
    this.dirty = false;
  }
}
