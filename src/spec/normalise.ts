import type { z } from "zod";
import { hint } from "./did-you-mean.js";
import type { PendingIssue } from "./issue.js";
import { API_VERSION } from "./schema/common.js";
import type { AnyKind } from "../kinds/kind.js";
import { salvage } from "./salvage.js";
import type { Salvaged } from "./salvage.js";
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

/** A manifest as the loader handles it, whatever its kind. */
export interface AnyManifest {
  kind: string;
  metadata: { name: string; labels?: Record<string, string> | undefined };
}

export interface Normalised {
  kind?: AnyKind;
  manifest?: AnyManifest;
  issues: PendingIssue[];
  /** When there are issues: the document's valid fields, so rules can still judge them. */
  salvaged?: Salvaged<AnyManifest>;
}

/**
 * Schema-checks one drgitops document against its kind's schema. drgitops.yaml `defaults` are merged
 * under the spec first for kinds that take them, so a bad default is reported like a bad field.
 */
export function normaliseDocument(
  doc: YamlDoc,
  kinds: readonly AnyKind[],
  defaults?: Record<string, unknown>,
): Normalised {
  const data = doc.data as Record<string, unknown>;
  const kindName = data["kind"];
  const kind = kinds.find((k) => k.name === kindName);
  const names = kinds.map((k) => k.name);
  if (kind === undefined) {
    const issue: PendingIssue =
      kindName === undefined
        ? {
            code: "missing-field",
            path: ["kind"],
            message: `missing required field "kind" (one of ${names.join(", ")})`,
          }
        : {
            code: "unknown-kind",
            path: ["kind"],
            message: `unknown kind ${JSON.stringify(kindName)}; expected one of ${names.join(", ")}${typeof kindName === "string" ? hint(kindName, names) : ""}`,
          };
    return { issues: [issue] };
  }
  const input =
    kind.takesDefaults && defaults && isRecord(data["spec"])
      ? { ...data, spec: (kind.mergeDefaults ?? mergeDefaults)(defaults, data["spec"]) }
      : data;
  const schema = kind.schema as z.ZodType<AnyManifest>;
  const parsed = schema.safeParse(input);
  if (parsed.success) return { kind, manifest: parsed.data, issues: [] };
  const { issues, hinted } = explainZodError(parsed.error, schema, input);
  const salvaged = salvage(kind.partialSchema as z.ZodType<AnyManifest>, input, parsed.error, hinted);
  return { kind, issues, ...(salvaged ? { salvaged } : {}) };
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
