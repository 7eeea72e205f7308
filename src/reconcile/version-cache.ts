import { createHash } from "node:crypto";
import { readFile, rename, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import type { Readable } from "node:stream";
import { openPromise, type Entry, type ZipFile } from "yauzl";
import { z } from "zod";
import { compareCodePoints } from "../spec/digest.js";
import { makeStateDir, STATE_DIR } from "../spec/state-dir.js";
import { VersionFileDigestSchema, type VersionFileDigest } from "./diff.js";

/** Text files up to this size are kept with their digests so the plan can show unified diffs. */
export const MAX_KEPT_TEXT_BYTES = 256 * 1024;

/** What is known about one immutable version's files: digests, and the text of small text files. */
export const VersionFilesEntry = z.object({
  versionId: z.string(),
  files: z.array(VersionFileDigestSchema),
  /** path -> content, for text files up to MAX_KEPT_TEXT_BYTES. */
  texts: z.record(z.string(), z.string()),
});
export type VersionFilesEntry = z.infer<typeof VersionFilesEntry>;

/** Where `.drgitops/cache/versions/<versionId>.json` lives for a project. */
export function versionCacheDir(projectRoot: string): string {
  return join(projectRoot, STATE_DIR, "cache", "versions");
}

/**
 * Per-version file digests on disk. Versions are immutable, so an entry never goes stale; a corrupt
 * or unreadable entry is treated as missing (it is only an optimisation).
 */
export class VersionFileCache {
  constructor(private readonly dir: string) {}

  private path(versionId: string): string {
    // Ids are opaque server strings: keep them from escaping the cache folder.
    return join(this.dir, `${encodeURIComponent(versionId)}.json`);
  }

  async get(versionId: string): Promise<VersionFilesEntry | undefined> {
    try {
      const parsed = VersionFilesEntry.safeParse(JSON.parse(await readFile(this.path(versionId), "utf8")));
      return parsed.success && parsed.data.versionId === versionId ? parsed.data : undefined;
    } catch {
      return undefined;
    }
  }

  async put(entry: VersionFilesEntry): Promise<void> {
    const target = this.path(entry.versionId);
    await makeStateDir(dirname(target));
    // Write-then-rename: a process killed mid-write leaves no half entry behind.
    const temp = `${target}.${process.pid}.${Date.now()}.tmp`;
    await writeFile(temp, JSON.stringify(entry));
    await rename(temp, target);
  }
}

/** Heuristic also used by git: a NUL byte in the first 8 KiB means binary; otherwise valid UTF-8 text. */
export function textOf(buffer: Buffer): string | undefined {
  if (buffer.subarray(0, 8192).includes(0)) return undefined;
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(buffer);
  } catch {
    return undefined;
  }
}

function readEntry(zip: ZipFile, entry: Entry): Promise<{ sha256: string; size: number; kept?: Buffer }> {
  return new Promise((resolve, reject) => {
    zip.openReadStream(entry, (error, stream: Readable) => {
      if (error) return reject(error);
      const hash = createHash("sha256");
      const chunks: Buffer[] = [];
      let size = 0;
      stream.on("data", (chunk: Buffer) => {
        hash.update(chunk);
        size += chunk.length;
        if (size <= MAX_KEPT_TEXT_BYTES) chunks.push(chunk);
      });
      stream.on("error", reject);
      stream.on("end", () =>
        resolve({
          sha256: hash.digest("hex"),
          size,
          ...(size <= MAX_KEPT_TEXT_BYTES ? { kept: Buffer.concat(chunks) } : {}),
        }),
      );
    });
  });
}

/**
 * Hashes every file entry of a zip on disk, streaming entry by entry, so memory stays bounded by the
 * largest kept text file, not by the archive.
 */
export async function hashZipFile(zipPath: string, versionId: string): Promise<VersionFilesEntry> {
  const zip = await openPromise(zipPath, { lazyEntries: true, autoClose: true });
  const files: VersionFileDigest[] = [];
  const texts: Record<string, string> = {};
  await new Promise<void>((resolve, reject) => {
    zip.on("error", reject);
    zip.on("end", () => resolve());
    zip.on("entry", (entry: Entry) => {
      if (entry.fileName.endsWith("/")) return zip.readEntry();
      readEntry(zip, entry).then(({ sha256, size, kept }) => {
        const path = entry.fileName.replace(/^\.\//, "");
        files.push({ path, sha256, size });
        const text = kept ? textOf(kept) : undefined;
        if (text !== undefined) texts[path] = text;
        zip.readEntry();
      }, reject);
    });
    zip.readEntry();
  });
  files.sort((a, b) => compareCodePoints(a.path, b.path));
  return { versionId, files, texts };
}
