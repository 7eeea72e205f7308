import { openAsBlob } from "node:fs";
import { DrgitopsError } from "../errors.js";

/** One multipart part: a text field, or a file streamed from disk under a part filename. */
export type FormPart =
  | { name: string; value: string }
  | { name: string; file: string /* absolute path on disk */; filename: string };

/**
 * Builds a spec FormData whose file parts are file-backed Blobs (`fs.openAsBlob`): got encodes it
 * as a stream, so a multi-GB upload never sits in memory. Called once per attempt (retries).
 */
export async function buildForm(parts: readonly FormPart[]): Promise<FormData> {
  const form = new FormData();
  for (const part of parts) {
    if ("value" in part) {
      form.append(part.name, part.value);
      continue;
    }
    let blob: Blob;
    try {
      blob = await openAsBlob(part.file);
    } catch (error) {
      throw new DrgitopsError(
        "upload-file-unreadable",
        `Cannot read ${part.file} to upload it as "${part.filename}": ${(error as Error).message}`,
        { cause: error },
      );
    }
    form.append(part.name, blob, part.filename);
  }
  return form;
}

/** API.md §0.9: structured fields travel as JSON strings inside multipart. */
export const jsonField = (name: string, value: unknown): FormPart => ({ name, value: JSON.stringify(value) });
