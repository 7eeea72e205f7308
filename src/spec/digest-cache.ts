import { readFile, rename, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { z } from "zod";
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

const EntrySchema = z.tuple([
  z.number(), // size
  z.number(), // mtimeMs
  z.number(), // ino
  z.string(), // sha256 hex
  z.number(), // hashedAt (ms since epoch)
]);
const CacheFileSchema = z.object({ version: z.literal(1), entries: z.record(z.string(), EntrySchema) });

export interface FileStamp {
  size: number;
  mtimeMs: number;
  ino: number;
}

/** Per-file SHA-256 digests keyed by (path, size, mtime, inode), persisted between runs like git's index. */
export class DigestCache {
  private readonly entries: Map<string, z.infer<typeof EntrySchema>>;
  private dirty = false;
  hits = 0;
  misses = 0;

  private constructor(
    readonly file: string | undefined,
    entries: Record<string, z.infer<typeof EntrySchema>>,
    private readonly maxEntries = DEFAULT_MAX_ENTRIES,
  ) {
    this.entries = new Map(Object.entries(entries));
  }

  /** An unpersisted cache (tests, one-off hashing). */
  static inMemory(): DigestCache {
    return new DigestCache(undefined, {});
  }

  /** Loads `<dir>/digests.json`; a missing or unreadable file starts an empty cache, never fails. */
  static async load(dir: string, options: { maxEntries?: number } = {}): Promise<DigestCache> {
    const file = join(dir, CACHE_FILE);
    try {
      const parsed = CacheFileSchema.safeParse(JSON.parse(await readFile(file, "utf8")));
      return new DigestCache(file, parsed.success ? parsed.data.entries : {}, options.maxEntries);
    } catch {
      return new DigestCache(file, {}, options.maxEntries);
    }
  }

  get size(): number {
    return this.entries.size;
  }

  lookup(absPath: string, stamp: FileStamp): string | undefined {
    const entry = this.entries.get(absPath);
    const fresh =
      entry !== undefined &&
      entry[0] === stamp.size &&
      entry[1] === stamp.mtimeMs &&
      entry[2] === stamp.ino &&
      stamp.mtimeMs < entry[4] - RACY_WINDOW_MS;
    if (fresh) this.hits++;
    else this.misses++;
    return fresh ? entry[3] : undefined;
  }

  store(absPath: string, stamp: FileStamp, sha256: string, hashedAt = Date.now()): void {
    this.entries.set(absPath, [stamp.size, stamp.mtimeMs, stamp.ino, sha256, hashedAt]);
    this.dirty = true;
  }

  /** Writes atomically (temp file + rename) so a crash or a concurrent run never leaves half a file. */
  async save(): Promise<void> {
    if (this.file === undefined || !this.dirty) return;
    const dir = join(this.file, "..");
    await makeStateDir(dir);
    const temp = `${this.file}.${process.pid}.${Date.now()}.tmp`;
    let kept = [...this.entries];
    if (kept.length > this.maxEntries) {
      kept = kept.sort((a, b) => b[1][4] - a[1][4]).slice(0, this.maxEntries);
      this.entries.clear();
      for (const [k, v] of kept) this.entries.set(k, v);
    }
    const body = { version: 1, entries: Object.fromEntries(kept) };
    await writeFile(temp, JSON.stringify(body));
    await rename(temp, this.file);
    this.dirty = false;
  }
}
