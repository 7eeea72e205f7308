import type { ConversionFile } from "./convert.js";
import { writeImport } from "../write.js";

/**
 * Writes a conversion. Without `force` an existing target is refused before anything is written,
 * so a second import never clobbers manifests edited since; each file is written atomically.
 */
export async function writeConversion(
  result: { files: readonly ConversionFile[] },
  options: { force?: boolean } = {},
): Promise<string[]> {
  return await writeImport({ files: result.files }, options);
}
