import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";

/** Large reads amortise the per-chunk cost of the stream machinery (64 KiB default is ~2x slower). */
const CHUNK_BYTES = 1024 * 1024;

/** Streaming SHA-256 of a file, as lowercase hex; memory stays flat whatever the file size. */
export async function hashFile(absPath: string): Promise<string> {
  const hash = createHash("sha256");
  for await (const chunk of createReadStream(absPath, { highWaterMark: CHUNK_BYTES })) {
    hash.update(chunk as Buffer);
  }
  return hash.digest("hex");
}
