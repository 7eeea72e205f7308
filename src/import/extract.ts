import { createReadStream } from "node:fs";
import { mkdir, open } from "node:fs/promises";
import { dirname, join } from "node:path";
import type { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { createGunzip } from "node:zlib";
import { extract as tarExtract } from "tar-stream";
import { openPromise, type Entry } from "yauzl";
import { DrgitopsError } from "../errors.js";
import { pipeToFile } from "../file-stream.js";

/**
 * Extracts a downloaded archive (a version's zip, an environment's docker context) into a folder,
 * refusing anything that could write outside it: absolute paths, drive letters, `..` segments, and
 * links of any kind. Entries stream to disk one at a time.
 */

export class UnsafeArchive extends DrgitopsError {
  constructor(message: string) {
    super("unsafe-archive", message);
  }
}

/** The entry's path inside the target, or undefined for a folder entry; throws on an unsafe path. */
export function safeEntryPath(name: string, archive: string): string | undefined {
  const path = name.replace(/\\/g, "/").replace(/^(\.\/)+/, "");
  if (path === "" || path.endsWith("/")) return undefined;
  const segments = path.split("/");
  if (
    path.startsWith("/") ||
    /^[A-Za-z]:/.test(path) ||
    path.includes("\0") ||
    segments.some((s) => s === ".." || s === "")
  )
    throw new UnsafeArchive(`${archive} holds an unsafe path "${name}"; nothing of it was kept`);
  return segments.filter((s) => s !== ".").join("/");
}

type Format = "zip" | "tar" | "tar.gz";

async function sniff(file: string): Promise<Format | undefined> {
  const handle = await open(file, "r");
  try {
    const head = Buffer.alloc(262);
    const { bytesRead } = await handle.read(head, 0, head.length, 0);
    const magic = bytesRead >= 4 ? head.readUInt32LE(0) : 0;
    if (magic === 0x04034b50 || magic === 0x06054b50) return "zip";
    if (head[0] === 0x1f && head[1] === 0x8b) return "tar.gz";
    if (bytesRead >= 262 && head.toString("latin1", 257, 262) === "ustar") return "tar";
    return undefined;
  } finally {
    await handle.close();
  }
}

class Written {
  readonly paths: string[] = [];
  private readonly seen = new Set<string>();
  constructor(
    private readonly dest: string,
    private readonly archive: string,
  ) {}

  async write(path: string, stream: Readable): Promise<void> {
    if (this.seen.has(path))
      throw new UnsafeArchive(`${this.archive} holds "${path}" twice; nothing of it was kept`);
    this.seen.add(path);
    const target = join(this.dest, ...path.split("/"));
    await mkdir(dirname(target), { recursive: true });
    await pipeToFile([stream], target, { flags: "wx" });
    this.paths.push(path);
  }
}

/** yauzl's own refusals (an absolute or `..` name among them) keep their reason, under our code. */
function unreadable(error: unknown, archive: string): Error {
  if (error instanceof DrgitopsError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new DrgitopsError(
    "unreadable-archive",
    `${archive} cannot be extracted: ${message}; nothing of it was kept`,
  );
}

/** The zip's "version made by" Unix mode says whether an entry is a symlink. */
function isZipLink(entry: Entry): boolean {
  const mode = (entry.externalFileAttributes >>> 16) & 0o170000;
  return mode === 0o120000;
}

async function extractZip(file: string, out: Written, archive: string): Promise<void> {
  const zip = await openPromise(file, { lazyEntries: true, autoClose: true, strictFileNames: false });
  await new Promise<void>((resolve, reject) => {
    const fail = (error: unknown): void => {
      zip.close();
      reject(unreadable(error, archive));
    };
    zip.on("error", fail);
    zip.on("end", () => resolve());
    zip.on("entry", (entry: Entry) => {
      let path: string | undefined;
      try {
        path = safeEntryPath(entry.fileName, archive);
        if (path !== undefined && isZipLink(entry))
          throw new UnsafeArchive(
            `${archive} holds a symbolic link "${entry.fileName}"; nothing of it was kept`,
          );
      } catch (error) {
        return fail(error);
      }
      if (path === undefined) return zip.readEntry();
      const at = path;
      zip.openReadStream(entry, (error, stream) => {
        if (error) return fail(error);
        out.write(at, stream).then(() => zip.readEntry(), fail);
      });
    });
    zip.readEntry();
  });
}

async function extractTar(file: string, gzip: boolean, out: Written, archive: string): Promise<void> {
  const extract = tarExtract();
  extract.on("entry", (header, stream, next) => {
    let path: string | undefined;
    try {
      path = safeEntryPath(header.name, archive);
      if (path !== undefined && header.type !== "file" && header.type !== "contiguous-file")
        throw new UnsafeArchive(
          `${archive} holds "${header.name}" of type ${header.type ?? "?"}; only files are kept`,
        );
    } catch (error) {
      // The entry stream is destroyed with the extract: its error is this one, reported by pipeline.
      stream.on("error", () => undefined);
      stream.resume();
      return next(error as Error);
    }
    if (path === undefined) {
      stream.on("end", () => next());
      return stream.resume();
    }
    // tar-stream's entries are streamx streams, which pipeline reads like any Readable.
    out.write(path, stream as unknown as Readable).then(() => next(), next);
  });
  const source = createReadStream(file);
  await (gzip ? pipeline(source, createGunzip(), extract) : pipeline(source, extract));
}

/** Extracts `file` (zip, tar or tar.gz, told apart by content) into `dest`; returns the file paths. */
export async function extractArchive(file: string, dest: string, archive: string): Promise<string[]> {
  const format = await sniff(file);
  if (format === undefined)
    throw new DrgitopsError("unreadable-archive", `${archive} is not a zip, tar or tar.gz archive`);
  const out = new Written(dest, archive);
  try {
    if (format === "zip") await extractZip(file, out, archive);
    else await extractTar(file, format === "tar.gz", out, archive);
  } catch (error) {
    throw unreadable(error, archive);
  }
  return out.paths.sort();
}
