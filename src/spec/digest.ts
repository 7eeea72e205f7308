import { createHash, createHmac } from "node:crypto";
import { z } from "zod";

/** The one vocabulary of digests: file contents as bare hex, everything else as `sha256:<hex>`. */

export const Sha256HexSchema = z.string().regex(/^[0-9a-f]{64}$/, "expected 64 lowercase hex digits");
export type Sha256Hex = z.infer<typeof Sha256HexSchema>;

export const DigestSchema = z.string().regex(/^sha256:[0-9a-f]{64}$/, "expected sha256:<64 hex>");
export type Digest = z.infer<typeof DigestSchema>;

/**
 * A keyed digest (HMAC-SHA256) of a secret value: what plans and trailers hold instead of the value.
 * Without the key nobody can test guesses against it (a PIN or a small number would fall to a plain
 * hash in an instant).
 */
export const KeyedDigestSchema = z
  .string()
  .regex(/^hmac-sha256:[0-9a-f]{64}$/, "expected hmac-sha256:<64 hex>");
export type KeyedDigest = z.infer<typeof KeyedDigestSchema>;

export function keyedDigest(key: string, text: string): KeyedDigest {
  return `hmac-sha256:${createHmac("sha256", key).update(text).digest("hex")}`;
}

/** Names a key without revealing it: plans record it, so an apply with another key refuses. */
export function keyId(key: string): string {
  return createHmac("sha256", key).update("drgitops key id").digest("hex").slice(0, 16);
}

export function sha256Hex(text: string | Uint8Array): string {
  return createHash("sha256").update(text).digest("hex");
}

/** sha256 of text as "sha256:<hex>": how digests of data (fingerprints, configurations) are written. */
export function sha256Digest(text: string): Digest {
  return `sha256:${sha256Hex(text)}`;
}

/** A `.` or `..` segment, a doubled or trailing `/`: an absolute POSIX path not in normal form. */
const NOT_NORMAL_ABSOLUTE = /(^|\/)\.\.?(\/|$)|\/\/|.\/$/;

/**
 * True for an absolute path in normal form on a POSIX system (not Windows, whose paths compare
 * case-insensitively): such paths can be compared as strings, without path.relative's resolves.
 */
export function isNormalPosixAbsolute(path: string): boolean {
  return process.platform !== "win32" && path.startsWith("/") && !NOT_NORMAL_ABSOLUTE.test(path);
}

/** A backslash, an empty or `.` segment (leading, trailing or doubled `/`, `./`): not normal yet. */
const ODD_PATH = /\\|\/\/|^\/|\/$|(^|\/)\.(\/|$)/;

/** `a\b`, `./a/b` and `a//b` all name the same uploaded file `a/b`. */
export function normalisePosixPath(path: string): string {
  // Most paths are already normal: no split and join for each of a plan's 20,000 files.
  if (!ODD_PATH.test(path)) return path;
  const parts = path.replaceAll("\\", "/").split("/");
  return parts.filter((p) => p !== "" && p !== ".").join("/");
}

export function compareCodePoints(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
