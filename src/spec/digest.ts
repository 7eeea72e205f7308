import { createHash } from "node:crypto";
import { z } from "zod";

/** The one vocabulary of digests: file contents as bare hex, everything else as `sha256:<hex>`. */

export const Sha256HexSchema = z.string().regex(/^[0-9a-f]{64}$/, "expected 64 lowercase hex digits");
export type Sha256Hex = z.infer<typeof Sha256HexSchema>;

export const DigestSchema = z.string().regex(/^sha256:[0-9a-f]{64}$/, "expected sha256:<64 hex>");
export type Digest = z.infer<typeof DigestSchema>;

export function sha256Hex(text: string | Uint8Array): string {
  return createHash("sha256").update(text).digest("hex");
}

/** sha256 of text as "sha256:<hex>": how digests of data (fingerprints, configurations) are written. */
export function sha256Digest(text: string): Digest {
  return `sha256:${sha256Hex(text)}`;
}

/** `a\b`, `./a/b` and `a//b` all name the same uploaded file `a/b`. */
export function normalisePosixPath(path: string): string {
  const parts = path.replaceAll("\\", "/").split("/");
  return parts.filter((p) => p !== "" && p !== ".").join("/");
}

export function compareCodePoints(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
