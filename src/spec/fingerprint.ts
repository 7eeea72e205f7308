import { createHash } from "node:crypto";
import { z } from "zod";
import { canonicalJson } from "./canonical-json.js";

const Sha256Hex = z.string().regex(/^[0-9a-f]{64}$/, { error: "must be a lowercase hex SHA-256" });

/** Everything that defines a model version (DESIGN §5); secrets enter only as digests. */
export const VersionFingerprintInputSchema = z.object({
  files: z.array(z.object({ path: z.string().min(1), sha256: Sha256Hex })),
  environment: z.object({ id: z.string(), versionId: z.string().optional() }),
  resources: z.object({
    memoryBytes: z.number().int().positive().optional(),
    replicas: z.number().int().positive().optional(),
    networkEgressPolicy: z.string().optional(),
  }),
  runtimeParameters: z.record(
    z.string(),
    z.object({
      type: z.string(),
      /** Credentials: the resolved credential id; sensitive values: "sha256:<hex of value>". */
      value: z.union([z.string(), z.number(), z.boolean(), z.null()]),
    }),
  ),
  trainingData: z.object({ datasetId: z.string().optional(), partitionColumn: z.string().optional() }),
  holdoutData: z.object({ datasetId: z.string().optional() }),
});
export type VersionFingerprintInput = z.infer<typeof VersionFingerprintInputSchema>;

/** `a\b`, `./a/b` and `a//b` all name the same uploaded file `a/b`. */
export function normalisePosixPath(path: string): string {
  const parts = path.replaceAll("\\", "/").split("/");
  return parts.filter((p) => p !== "" && p !== ".").join("/");
}

/** "sha256:<hex>" of the canonical JSON of a version's defining data; pure. */
export function versionFingerprint(input: VersionFingerprintInput): string {
  const files = input.files
    .map((f) => ({ path: normalisePosixPath(f.path), sha256: f.sha256 }))
    .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return `sha256:${sha256Hex(canonicalJson({ ...input, files }))}`;
}

export function sha256Hex(text: string | Uint8Array): string {
  return createHash("sha256").update(text).digest("hex");
}

/** Digest of a docker context: the canonical JSON of its sorted (path, sha256) list. */
export function contextDigest(files: readonly { path: string; sha256: string }[]): string {
  const list = files
    .map((f) => ({ path: normalisePosixPath(f.path), sha256: f.sha256 }))
    .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return `sha256:${sha256Hex(canonicalJson(list))}`;
}

/** DESIGN §5: a dataset's catalog name carries its digest so an upload is found again, never repeated. */
export function datasetCatalogName(name: string, sha256: string): string {
  return `${name}-${sha256.slice(0, 12)}`;
}
