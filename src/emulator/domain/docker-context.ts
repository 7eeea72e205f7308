import { open as openFile } from "node:fs/promises";
import { createReadStream } from "node:fs";
import { createGunzip } from "node:zlib";
import { pipeline } from "node:stream/promises";
import { extract as tarExtract } from "tar-stream";
import yauzl from "yauzl";

/** The result of reading an uploaded docker context (API.md §4.2). */
export type DockerContextReport =
  { ok: true; format: ArchiveFormat; files: string[]; hasDockerfile: boolean } | { ok: false; error: string };

export type ArchiveFormat = "zip" | "tar" | "tar.gz";

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

function listZip(file: string): Promise<string[]> {
  return new Promise((resolve, reject) => {
    yauzl.open(file, { lazyEntries: true, autoClose: true }, (err, zip) => {
      if (err !== null) return reject(err);
      const names: string[] = [];
      zip.on("entry", (entry: yauzl.Entry) => {
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

async function listTar(file: string, gzipped: boolean): Promise<string[]> {
  const names: string[] = [];
  const extract = tarExtract();
  extract.on("entry", (header, stream, next) => {
    if (header.type === "file" || header.type === "contiguous-file") {
      const n = normalise(header.name);
      if (n !== undefined) names.push(n);
    }
    stream.on("end", next);
    stream.resume();
  });
  const source = createReadStream(file);
  await (gzipped ? pipeline(source, createGunzip(), extract) : pipeline(source, extract));
  return names;
}

/**
 * Lists a docker context archive and says whether it has a root-level `Dockerfile`. Never throws:
 * an unreadable archive is a failed build with the reason, not an emulator error.
 */
export async function inspectDockerContext(file: string): Promise<DockerContextReport> {
  let format: ArchiveFormat | undefined;
  try {
    format = await sniffArchive(file);
  } catch (error) {
    return { ok: false, error: `Cannot read the docker context: ${(error as Error).message}` };
  }
  if (format === undefined) {
    return { ok: false, error: "Cannot read the docker context: not a zip, tar or tar.gz archive" };
  }
  try {
    const files = format === "zip" ? await listZip(file) : await listTar(file, format === "tar.gz");
    return { ok: true, format, files, hasDockerfile: files.includes("Dockerfile") };
  } catch (error) {
    return { ok: false, error: `Cannot read the docker context (${format}): ${(error as Error).message}` };
  }
}
