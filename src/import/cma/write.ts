import { randomBytes } from "node:crypto";
import { lstat, mkdir, rename, rm, writeFile } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { DrgitopsError } from "../../errors.js";
import type { ConversionFile } from "./convert.js";

/**
 * Writes a conversion. Without `force` an existing target is refused before anything is written,
 * so a second import never clobbers manifests edited since. Each file is written to a temporary
 * file beside it and renamed into place: a crash leaves the old file or the new one, never half.
 */
export async function writeConversion(
  result: { files: readonly ConversionFile[] },
  options: { force?: boolean } = {},
): Promise<string[]> {
  if (options.force !== true) {
    const existing: string[] = [];
    for (const f of result.files)
      if (
        await lstat(f.path).then(
          () => true,
          () => false,
        )
      )
        existing.push(f.path);
    if (existing.length > 0)
      throw new DrgitopsError(
        "import-target-exists",
        `refusing to overwrite ${existing.join(", ")}; nothing was written (pass --force to replace ${existing.length === 1 ? "it" : "them"})`,
      );
  }
  const written: string[] = [];
  for (const f of result.files) {
    await mkdir(dirname(f.path), { recursive: true });
    const temporary = join(dirname(f.path), `.${basename(f.path)}.${randomBytes(6).toString("hex")}.tmp`);
    try {
      await writeFile(temporary, f.content, { flag: "wx" });
      await rename(temporary, f.path);
    } catch (error) {
      await rm(temporary, { force: true });
      throw error;
    }
    written.push(f.path);
  }
  return written;
}
