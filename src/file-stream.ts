import { createWriteStream } from "node:fs";
import { pipeline } from "node:stream/promises";

/**
 * Pipes `streams` (a source, then any transforms) into the file at `path`. When the pipeline fails
 * this rejects only once the file's stream has closed: a pipeline can fail while the file's open is
 * still pending, and the file would then appear after the caller's cleanup had removed it (a temp
 * file left behind by every upload or download that failed early on a loaded machine).
 */
export async function pipeToFile(
  streams: readonly [NodeJS.ReadableStream, ...NodeJS.ReadWriteStream[]],
  path: string,
  options: { flags?: string; signal?: AbortSignal | undefined } = {},
): Promise<void> {
  const out = createWriteStream(path, options.flags !== undefined ? { flags: options.flags } : {});
  try {
    await pipeline([...streams, out], options.signal ? { signal: options.signal } : {});
  } catch (error) {
    if (!out.closed) await new Promise((resolve) => out.once("close", () => resolve(undefined)));
    throw error;
  }
}
