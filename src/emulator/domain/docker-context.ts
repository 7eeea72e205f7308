import { open as openFile, stat } from "node:fs/promises";
import { createReadStream } from "node:fs";
import { Transform } from "node:stream";
import { createGunzip } from "node:zlib";
import { pipeline } from "node:stream/promises";
import { extract as tarExtract } from "tar-stream";
import yauzl from "yauzl";

/** The result of reading an uploaded docker context (API.md §4.2). */
export type DockerContextReport =
  { ok: true; format: ArchiveFormat; files: string[]; hasDockerfile: boolean } | { ok: false; error: string };

export type ArchiveFormat = "zip" | "tar" | "tar.gz";

/** Bounds on what reading one archive may cost (a 3 MB tar.gz can expand to 3 GB). */
export interface ArchiveLimits {
  /** Bytes the archive may expand to (tar stream after gunzip; sum of zip entry sizes). */
  maxExpandedBytes: number;
  /** Expanded bytes per compressed byte, checked once more than `ratioFloorBytes` are expanded. */
  maxRatio: number;
  ratioFloorBytes: number;
  maxEntries: number;
}

export const ARCHIVE_LIMITS: ArchiveLimits = {
  maxExpandedBytes: 1024 ** 3,
  maxRatio: 100,
  ratioFloorBytes: 16 * 1024 ** 2,
  maxEntries: 100_000,
};

/** A limit was hit: the archive is refused as a (likely) decompression bomb. */
class ArchiveLimitError extends Error {}

/** Tracks expanded vs compressed bytes and entries against the limits. */
class ExpansionMeter {
  compressed = 0;
  expanded = 0;
  entries = 0;
  constructor(private readonly limits: ArchiveLimits) {}

  /** The limit passed so far, if any. */
  exceeded(): ArchiveLimitError | undefined {
    const l = this.limits;
    if (this.entries > l.maxEntries) return new ArchiveLimitError(`it has more than ${l.maxEntries} entries`);
    if (this.expanded > l.maxExpandedBytes)
      return new ArchiveLimitError(`it expands to more than ${l.maxExpandedBytes} bytes`);
    if (this.expanded > l.ratioFloorBytes && this.expanded > l.maxRatio * Math.max(1, this.compressed))
      return new ArchiveLimitError(
        `it expands more than ${l.maxRatio}:1 (${this.expanded} bytes from ${this.compressed})`,
      );
    return undefined;
  }

  /** A pass-through stream adding each chunk's length to `fields`, checking as it goes. */
  count(...fields: ("compressed" | "expanded")[]): Transform {
    return new Transform({
      transform: (chunk: Buffer, _enc, done) => {
        for (const field of fields) this[field] += chunk.length;
        const over = this.exceeded();
        if (over) done(over);
        else done(null, chunk);
      },
    });
  }
}

/** Sniffs the archive format from its first bytes; clients name the part freely. */
export async function sniffArchive(file: string): Promise<ArchiveFormat | undefined> {
  const handle = await openFile(file, "r");
  try {
    const head = Buffer.alloc(512);
    const { bytesRead } = await handle.read(head, 0, 512, 0);
    if (bytesRead >= 4 && head.readUInt32LE(0) === 0x04034b50) return "zip";
    if (bytesRead >= 4 && head.readUInt32LE(0) === 0x06054b50) return "zip"; // empty zip
    if (bytesRead >= 2 && head[0] === 0x1f && head[1] === 0x8b) return "tar.gz";
    if (bytesRead >= 262 && head.toString("latin1", 257, 262) === "ustar") return "tar";
    return undefined;
  } finally {
    await handle.close();
  }
}

/** Entry names as a build would see them: `./` removed, directories dropped. */
function normalise(name: string): string | undefined {
  const n = name.replace(/\\/g, "/").replace(/^(\.\/)+/, "");
  return n === "" || n.endsWith("/") ? undefined : n;
}

/** Lists a zip's central directory (nothing is inflated), bounded by its declared sizes. */
async function listZip(file: string, meter: ExpansionMeter): Promise<string[]> {
  meter.compressed = (await stat(file)).size;
  return new Promise((resolve, reject) => {
    yauzl.open(file, { lazyEntries: true, autoClose: true }, (err, zip) => {
      if (err !== null) return reject(err);
      const names: string[] = [];
      zip.on("entry", (entry: yauzl.Entry) => {
        meter.entries += 1;
        meter.expanded += entry.uncompressedSize;
        const over = meter.exceeded();
        if (over) {
          zip.close();
          reject(over);
          return;
        }
        const n = normalise(entry.fileName);
        if (n !== undefined) names.push(n);
        zip.readEntry();
      });
      zip.on("end", () => resolve(names));
      zip.on("error", reject);
      zip.readEntry();
    });
  });
}

/**
 * Streams a tar (gunzipped on the way) through tar-stream: zlib inflates on the thread pool and each
 * chunk is a small piece of work, so the event loop stays free; the meter stops a bomb early.
 */
async function listTar(file: string, gzipped: boolean, meter: ExpansionMeter): Promise<string[]> {
  const names: string[] = [];
  const extract = tarExtract();
  extract.on("entry", (header, stream, next) => {
    // The pipeline reports a failure once; an entry cut off by it must not throw again.
    stream.on("error", () => undefined);
    meter.entries += 1;
    const over = meter.exceeded();
    if (over) {
      extract.destroy(over);
      return;
    }
    if (header.type === "file" || header.type === "contiguous-file") {
      const n = normalise(header.name);
      if (n !== undefined) names.push(n);
    }
    stream.on("end", next);
    stream.resume();
  });
  const source = createReadStream(file);
  await (gzipped
    ? pipeline(source, meter.count("compressed"), createGunzip(), meter.count("expanded"), extract)
    : pipeline(source, meter.count("compressed", "expanded"), extract));
  return names;
}

/**
 * Lists a docker context archive and says whether it has a root-level `Dockerfile`. Never throws:
 * an unreadable archive, or one past `limits`, is a failed build with the reason.
 */
export async function inspectDockerContext(
  file: string,
  limits: ArchiveLimits = ARCHIVE_LIMITS,
): Promise<DockerContextReport> {
  let format: ArchiveFormat | undefined;
  try {
    format = await sniffArchive(file);
  } catch (error) {
    return { ok: false, error: `Cannot read the docker context: ${(error as Error).message}` };
  }
  if (format === undefined) {
    return { ok: false, error: "Cannot read the docker context: not a zip, tar or tar.gz archive" };
  }
  const meter = new ExpansionMeter(limits);
  try {
    const files =
      format === "zip" ? await listZip(file, meter) : await listTar(file, format === "tar.gz", meter);
    return { ok: true, format, files, hasDockerfile: files.includes("Dockerfile") };
  } catch (error) {
    const reason = (error as Error).message;
    if (error instanceof ArchiveLimitError)
      return { ok: false, error: `Docker context refused as a decompression bomb (${format}): ${reason}` };
    return { ok: false, error: `Cannot read the docker context (${format}): ${reason}` };
  }
}
