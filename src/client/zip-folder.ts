import { createWriteStream } from "node:fs";
import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, relative, sep } from "node:path";
import { pipeline } from "node:stream/promises";
import yazl from "yazl";

/** Regular files under `dir`, sorted, so the same folder always zips to the same entry list. */
async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name))
    .sort();
}

/**
 * Zips a docker context folder into a temp file (streamed, never in memory), so the upload has a
 * known size and can be rebuilt for a retry. The caller must call `cleanup`.
 */
export async function zipFolderToTemp(dir: string): Promise<{ path: string; cleanup: () => Promise<void> }> {
  const tempDir = await mkdtemp(join(tmpdir(), "drgitops-context-"));
  const path = join(tempDir, "docker_context.zip");
  const cleanup = () => rm(tempDir, { recursive: true, force: true });
  try {
    const zip = new yazl.ZipFile();
    for (const file of await listFiles(dir)) {
      zip.addFile(file, relative(dir, file).split(sep).join("/"));
    }
    zip.end();
    await pipeline(zip.outputStream, createWriteStream(path));
    return { path, cleanup };
  } catch (error) {
    await cleanup();
    throw error;
  }
}
