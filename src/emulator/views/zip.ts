import type { FastifyReply } from "fastify";
import yazl from "yazl";
import type { BlobStore } from "../blobs.js";
import { filePathProblem } from "../store/version-builder.js";
import type { ItemRecord } from "../store/versions.js";

/**
 * The zip entry name of a stored path. New paths are always valid (normaliseFilePath), but data from
 * before that check may hold `dir/`, `a//b` or `../x`: those are cleaned rather than failing the zip.
 */
function entryName(filePath: string): string | undefined {
  const name = filePath
    .replace(/\\/g, "/")
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u001f\u007f]/g, "_")
    .split("/")
    .filter((s) => s !== "" && s !== "." && s !== "..")
    .join("/")
    .replace(/^([A-Za-z]):/, "$1_");
  return filePathProblem(name) === undefined ? name : undefined;
}

/** Streams the items as a zip at their `filePath` (API.md §2.1); files are read lazily from blobs. */
export function sendItemsZip(
  reply: FastifyReply,
  blobs: BlobStore,
  items: readonly ItemRecord[],
  fileName: string,
): FastifyReply {
  const zip = new yazl.ZipFile();
  const names = new Set<string>();
  for (const item of items) {
    const name = entryName(item.filePath);
    if (name === undefined || names.has(name)) continue;
    names.add(name);
    zip.addFile(blobs.path(item.sha256), name);
  }
  zip.end();
  return reply
    .header("content-type", "application/zip")
    .header("content-disposition", `attachment; filename="${fileName}"`)
    .send(zip.outputStream);
}
