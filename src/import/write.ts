import { randomBytes } from "node:crypto";
import { lstat, mkdir, readdir, rename, rm, writeFile } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { DrgitopsError } from "../errors.js";

/**
 * How every import writes: nothing existing is replaced without `force`, and that is checked for
 * every target before the first byte is written; each file goes to a temporary file beside it and
 * is renamed into place, each folder is filled beside its target and swapped in, so a crash leaves
 * the old content or the new one, never half of either.
 */

/** A file to write, with its content. */
export interface ImportFile {
  /** Absolute path. */
  path: string;
  content: string;
}

/** A folder to fill from a staged copy (downloaded files), replacing whatever was there. */
export interface ImportFolder {
  /** Absolute path of the target folder. */
  path: string;
  /** Absolute path of the staged folder; moved into place, so it must be on the same filesystem. */
  staged: string;
}

async function exists(path: string): Promise<boolean> {
  return lstat(path).then(
    () => true,
    () => false,
  );
}

/** A folder counts as taken when it exists and is not empty. */
async function taken(path: string, folder: boolean): Promise<boolean> {
  if (!folder) return await exists(path);
  return await readdir(path).then(
    (entries) => entries.length > 0,
    () => exists(path),
  );
}

/** Refuses (before anything is written) when a target exists and `force` is not given. */
export async function refuseExisting(
  targets: readonly { path: string; folder?: boolean }[],
  force: boolean,
): Promise<void> {
  if (force) return;
  const existing: string[] = [];
  for (const t of targets) if (await taken(t.path, t.folder === true)) existing.push(t.path);
  if (existing.length > 0)
    throw new DrgitopsError(
      "import-target-exists",
      `refusing to overwrite ${existing.join(", ")}; nothing was written (pass --force to replace ${existing.length === 1 ? "it" : "them"})`,
    );
}

function temporaryBeside(path: string): string {
  return join(dirname(path), `.${basename(path)}.${randomBytes(6).toString("hex")}.tmp`);
}

/** Write-then-rename: readers see the old file or the new one. */
export async function writeFileAtomic(path: string, content: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const temporary = temporaryBeside(path);
  try {
    await writeFile(temporary, content, { flag: "wx" });
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}

/** A temporary folder beside `target` to stage its new content in (same filesystem: renames work). */
export async function stagingFolderFor(target: string): Promise<string> {
  await mkdir(dirname(target), { recursive: true });
  const staged = temporaryBeside(target);
  await mkdir(staged);
  return staged;
}

/**
 * Swaps a staged folder in: the old one (if any) is moved aside, the new one renamed into place, and
 * the old one removed. Files of the old folder never mix with the new (a stale file would join the
 * next version).
 */
export async function replaceFolder(folder: ImportFolder): Promise<void> {
  const aside = (await exists(folder.path)) ? temporaryBeside(folder.path) : undefined;
  if (aside !== undefined) await rename(folder.path, aside);
  try {
    await rename(folder.staged, folder.path);
  } catch (error) {
    if (aside !== undefined) await rename(aside, folder.path);
    throw error;
  }
  if (aside !== undefined) await rm(aside, { recursive: true, force: true });
}

/** Checks every target, then writes folders and files; returns the paths written. */
export async function writeImport(
  targets: { files: readonly ImportFile[]; folders?: readonly ImportFolder[] },
  options: { force?: boolean } = {},
): Promise<string[]> {
  const folders = targets.folders ?? [];
  await refuseExisting(
    [
      ...folders.map((f) => ({ path: f.path, folder: true })),
      ...targets.files.map((f) => ({ path: f.path })),
    ],
    options.force === true,
  );
  const written: string[] = [];
  for (const folder of folders) {
    await replaceFolder(folder);
    written.push(folder.path);
  }
  for (const f of targets.files) {
    await writeFileAtomic(f.path, f.content);
    written.push(f.path);
  }
  return written;
}
