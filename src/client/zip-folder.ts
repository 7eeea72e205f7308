import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, relative, sep } from "node:path";
import yazl from "yazl";
import { pipeToFile } from "../file-stream.js";

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
    await pipeToFile([zip.outputStream], path);
    return { path, cleanup };
  } catch (error) {
    await cleanup();
    throw error;
  }
}
