import { mkdtemp, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { extractArchive } from "./extract.js";
import { stagingFolderFor } from "./write.js";

/** Downloaded files staged in a folder: beside their target (to be swapped in), or in tmp (dry run). */
export interface Staged {
  folder: string;
  files: { path: string; size: number }[];
  discard: () => Promise<void>;
}

/**
 * Streams an archive to a temporary file, extracts it safely into a staging folder and deletes the
 * archive. The staging folder is beside `target` when the import writes (so it can be renamed into
 * place), else in the system's temp folder. On any failure nothing is left behind.
 */
export async function stageArchive(
  download: (destPath: string) => Promise<unknown>,
  target: string,
  what: string,
  options: { dryRun: boolean },
): Promise<Staged> {
  const folder = options.dryRun
    ? await mkdtemp(join(tmpdir(), "drgitops-import-"))
    : await stagingFolderFor(target);
  const discard = () => rm(folder, { recursive: true, force: true });
  const archiveDir = await mkdtemp(join(tmpdir(), "drgitops-download-"));
  try {
    const archive = join(archiveDir, "archive");
    await download(archive);
    const paths = await extractArchive(archive, folder, what);
    const files = await Promise.all(
      paths.map(async (path) => ({ path, size: (await stat(join(folder, ...path.split("/")))).size })),
    );
    return { folder, files, discard };
  } catch (error) {
    await discard();
    throw error;
  } finally {
    await rm(archiveDir, { recursive: true, force: true });
  }
}
