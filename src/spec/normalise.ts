import { hint } from "./did-you-mean.js";
import type { PendingIssue } from "./issue.js";
import { API_VERSION } from "./schema/common.js";
import { salvage } from "./salvage.js";
import type { Salvaged } from "./salvage.js";
import {
  isManifestKind,
  MANIFEST_KINDS,
  manifestSchemas,
  partialManifestSchemas,
} from "./schema/manifest.js";
import type { Manifest, PartialManifest } from "./schema/manifest.js";
import type { YamlDoc } from "./yaml-doc.js";
import { explainZodError } from "./zod-issues.js";

/** What a YAML document is to us, decided by its apiVersion before any schema is applied. */
export type Classification =
  | { type: "manifest" }
  | { type: "empty" }
  | { type: "foreign"; message: string }
  | { type: "invalid"; issue: PendingIssue };

export function classifyDocument(data: unknown): Classification {
  if (data === undefined || data === null) return { type: "empty" };
  const apiVersion = isRecord(data) ? data["apiVersion"] : undefined;
  if (apiVersion === API_VERSION) return { type: "manifest" };
  if (typeof apiVersion === "string" && apiVersion.startsWith("drgitops/")) {
    return {
      type: "invalid",
      issue: {
        code: "unsupported-api-version",
        path: ["apiVersion"],
        message: `apiVersion "${apiVersion}" is not supported by this drgitops; use "${API_VERSION}"`,
      },
    };
  }
  const what = typeof apiVersion === "string" ? `apiVersion "${apiVersion}"` : "no apiVersion";
  return { type: "foreign", message: `skipped a document with ${what} (not a drgitops manifest)` };
}

export interface Normalised {
  manifest?: Manifest;
  issues: PendingIssue[];
  /** When there are issues: the document's valid fields, so rules can still judge them. */
  salvaged?: Salvaged<PartialManifest>;
}

/**
 * Schema-checks one drgitops document. `modelDefaults` (drgitops.yaml `defaults`) are merged under a
 * CustomModel's spec first, so a bad default is reported like a bad field.
 */
export function normaliseDocument(doc: YamlDoc, modelDefaults?: Record<string, unknown>): Normalised {
  const data = doc.data as Record<string, unknown>;
  const kind = data["kind"];
  if (!isManifestKind(kind)) {
    const issue: PendingIssue =
      kind === undefined
        ? {
            code: "missing-field",
            path: ["kind"],
            message: `missing required field "kind" (one of ${MANIFEST_KINDS.join(", ")})`,
          }
        : {
            code: "unknown-kind",
            path: ["kind"],
            message: `unknown kind ${JSON.stringify(kind)}; expected one of ${MANIFEST_KINDS.join(", ")}${typeof kind === "string" ? hint(kind, MANIFEST_KINDS) : ""}`,
          };
    return { issues: [issue] };
  }
  const input =
    kind === "CustomModel" && modelDefaults && isRecord(data["spec"])
      ? { ...data, spec: mergeDefaults(modelDefaults, data["spec"]) }
      : data;
  const schema = manifestSchemas[kind];
  const parsed = schema.safeParse(input);
  if (parsed.success) return { manifest: parsed.data, issues: [] };
  const { issues, hinted } = explainZodError(parsed.error, schema, input);
  const salvaged = salvage(partialManifestSchemas[kind], input, parsed.error, hinted);
  return { issues, ...(salvaged ? { salvaged } : {}) };
}

/** Deep merge where the manifest wins; lists are replaced, not concatenated (like Helm values). */
export function mergeDefaults(
  defaults: Record<string, unknown>,
  spec: Record<string, unknown>,
): Record<string, unknown> {
  const out: Record<string, unknown> = { ...defaults };
  for (const [key, value] of Object.entries(spec)) {
    const base = out[key];
    out[key] = isRecord(base) && isRecord(value) ? mergeDefaults(base, value) : value;
  }
  return out;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
