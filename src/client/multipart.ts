import { openAsBlob } from "node:fs";
import { stat } from "node:fs/promises";
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
      throw unreadable(part, error);
    }
    form.append(part.name, blob, part.filename);
  }
  return form;
}

/** What a multipart body carries: each file's size, and the bytes of all parts' contents. */
export interface UploadSize {
  /** The part filename, the file on disk and its size. */
  files: { filename: string; file: string; bytes: number }[];
  /** File bytes plus field values (UTF-8); the multipart framing adds a few hundred bytes. */
  totalBytes: number;
}

const unreadable = (part: { file: string; filename: string }, error: unknown): DrgitopsError =>
  new DrgitopsError(
    "upload-file-unreadable",
    `Cannot read ${part.file} to upload it as "${part.filename}": ${(error as Error).message}`,
    { cause: error },
  );

/** Sizes the parts from disk, before anything is sent. */
export async function measureUpload(parts: readonly FormPart[]): Promise<UploadSize> {
  const files: UploadSize["files"] = [];
  let totalBytes = 0;
  for (const part of parts) {
    if ("value" in part) {
      totalBytes += Buffer.byteLength(part.value);
      continue;
    }
    let bytes: number;
    try {
      bytes = (await stat(part.file)).size;
    } catch (error) {
      throw unreadable(part, error);
    }
    files.push({ filename: part.filename, file: part.file, bytes });
    totalBytes += bytes;
  }
  return { files, totalBytes };
}

/** `custom.py (12 bytes), model.pkl (9000 bytes); 9040 bytes in all`, for error messages. */
export function describeUpload(size: UploadSize): string {
  const files = size.files.map((f) => `${f.filename} (${f.bytes} bytes)`).join(", ");
  return `${files || "no files"}; ${size.totalBytes} bytes in all`;
}

/**
 * Refuses, before sending, an upload whose largest file or whole content is over `limit` (the
 * server's upload limit, when the caller knows it): a doomed multi-GB upload costs nothing.
 */
export function checkUploadLimit(size: UploadSize, limit: number | undefined, what: string): void {
  if (limit === undefined) return;
  const [largest] = [...size.files].sort((a, b) => b.bytes - a.bytes);
  const offender =
    largest !== undefined && largest.bytes > limit
      ? `${largest.filename} (${largest.file}) is ${largest.bytes} bytes`
      : size.totalBytes > limit
        ? `the upload is ${size.totalBytes} bytes in all (${describeUpload(size)})`
        : undefined;
  if (offender === undefined) return;
  throw new DrgitopsError(
    "upload-too-large",
    `Not sending ${what}: ${offender}, over the server's upload limit of ${limit} bytes (maxUploadBytes)`,
  );
}

/** API.md §0.9: structured fields travel as JSON strings inside multipart. */
export const jsonField = (name: string, value: unknown): FormPart => ({ name, value: JSON.stringify(value) });
