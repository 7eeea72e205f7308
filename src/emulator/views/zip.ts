import type { FastifyReply } from "fastify";
import yazl from "yazl";
import type { BlobStore } from "../blobs.js";
import type { ItemRecord } from "../store/versions.js";

/** Streams the items as a zip at their `filePath` (API.md §2.1); files are read lazily from blobs. */
export function sendItemsZip(
  reply: FastifyReply,
  blobs: BlobStore,
  items: readonly ItemRecord[],
  fileName: string,
): FastifyReply {
  const zip = new yazl.ZipFile();
  for (const item of items) zip.addFile(blobs.path(item.sha256), item.filePath);
  zip.end();
  return reply
    .header("content-type", "application/zip")
    .header("content-disposition", `attachment; filename="${fileName}"`)
    .send(zip.outputStream);
}
