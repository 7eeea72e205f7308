import { mkdir, writeFile } from "node:fs/promises";
import { join, resolve, sep } from "node:path";

/** The folder drgitops keeps its caches and the embedded emulator's data in, under the project root. */
export const STATE_DIR = ".drgitops";

/** Ignores everything in the folder, itself included, so no cache ever lands in a commit. */
export const STATE_GITIGNORE = "*\n";

/**
 * `mkdir -p dir` for every folder drgitops writes state to (digest cache, version cache, embedded
 * emulator data). When `dir` is inside a `.drgitops/` folder, that folder gets a `.gitignore` of `*`
 * if it has none: written when drgitops creates the folder, and added to one made by an older release.
 */
export async function makeStateDir(dir: string): Promise<void> {
  const abs = resolve(dir);
  const parts = abs.split(sep);
  const at = parts.lastIndexOf(STATE_DIR);
  if (at > 0) {
    const state = parts.slice(0, at + 1).join(sep);
    await mkdir(state, { recursive: true });
    await writeFile(join(state, ".gitignore"), STATE_GITIGNORE, { flag: "wx" }).catch((error: unknown) => {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    });
  }
  await mkdir(abs, { recursive: true });
}
