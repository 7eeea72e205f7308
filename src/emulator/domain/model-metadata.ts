import { parse as parseYaml } from "yaml";
import { z } from "zod";

export const RUNTIME_PARAMETER_TYPES = ["string", "boolean", "numeric", "credential", "deployment"] as const;
export type RuntimeParameterType = (typeof RUNTIME_PARAMETER_TYPES)[number];

/** A scalar runtime parameter value as stored and returned: never `""` (API.md §2.9). */
export const RuntimeValueSchema = z.union([z.string().min(1), z.number(), z.boolean()]).nullable();
export type RuntimeValue = z.infer<typeof RuntimeValueSchema>;

/** A `runtimeParameterDefinitions` entry, normalised (API.md §10.2). */
export const RuntimeParameterDefinitionSchema = z.object({
  fieldName: z.string(),
  type: z.enum(RUNTIME_PARAMETER_TYPES),
  description: z.string().nullable(),
  allowEmpty: z.boolean(),
  minValue: z.number().nullable(),
  maxValue: z.number().nullable(),
  defaultValue: RuntimeValueSchema,
  credentialType: z.string().nullable(),
});
export type RuntimeParameterDefinition = z.infer<typeof RuntimeParameterDefinitionSchema>;

export type MetadataResult =
  | { valid: true; definitions: RuntimeParameterDefinition[] }
  | { valid: false; error: string; definitions: [] };

const FIELD_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

const RawDefinition = z.looseObject({
  fieldName: z.string().regex(FIELD_NAME, "must match ^[A-Za-z_][A-Za-z0-9_]*$"),
  type: z.enum(RUNTIME_PARAMETER_TYPES),
  defaultValue: z.unknown().optional(),
  minValue: z.number().nullish(),
  maxValue: z.number().nullish(),
  allowEmpty: z.boolean().nullish(),
  credentialType: z.string().nullish(),
  description: z.string().nullish(),
});

/**
 * Judges a version's top-level model-metadata.yaml (API.md §10) and extracts its runtime parameter
 * definitions. `credentialExists` checks credential defaults. Invalid files do not throw: the version
 * is still created and the test's errorCheck reports `error`.
 */
export function parseModelMetadata(text: string, credentialExists: (id: string) => boolean): MetadataResult {
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (error) {
    const reason = error instanceof Error ? error.message.split("\n")[0] : String(error);
    return invalid(`model-metadata.yaml is not valid YAML: ${reason ?? ""}`);
  }
  if (doc === null || typeof doc !== "object" || Array.isArray(doc))
    return invalid("model-metadata.yaml: the top level must be a mapping");
  const list = (doc as Record<string, unknown>)["runtimeParameterDefinitions"];
  if (list === undefined || list === null) return { valid: true, definitions: [] };
  if (!Array.isArray(list)) return invalid("model-metadata.yaml: runtimeParameterDefinitions must be a list");
  const definitions: RuntimeParameterDefinition[] = [];
  const seen = new Set<string>();
  for (const [i, entry] of list.entries()) {
    const at = `runtimeParameterDefinitions[${i}]`;
    const parsed = RawDefinition.safeParse(entry);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const field = issue?.path.join(".") ?? "";
      return invalid(`model-metadata.yaml: ${at}${field ? `.${field}` : ""}: ${issue?.message ?? ""}`);
    }
    const d = parsed.data;
    if (seen.has(d.fieldName))
      return invalid(`model-metadata.yaml: ${at}: duplicate fieldName ${d.fieldName}`);
    seen.add(d.fieldName);
    const problem = checkDefinition(d, credentialExists);
    if (problem) return invalid(`model-metadata.yaml: ${at} (${d.fieldName}): ${problem}`);
    definitions.push({
      fieldName: d.fieldName,
      type: d.type,
      description: d.description ?? null,
      allowEmpty: d.allowEmpty ?? true,
      minValue: d.type === "numeric" ? (d.minValue ?? null) : null,
      maxValue: d.type === "numeric" ? (d.maxValue ?? null) : null,
      defaultValue: normaliseDefault(d.defaultValue),
      credentialType: d.type === "credential" ? (d.credentialType ?? null) : null,
    });
  }
  return { valid: true, definitions };
}

function invalid(error: string): MetadataResult {
  return { valid: false, error, definitions: [] };
}

function normaliseDefault(value: unknown): RuntimeValue {
  if (value === undefined || value === null || value === "") return null;
  return value as RuntimeValue;
}

function checkDefinition(
  d: z.infer<typeof RawDefinition>,
  credentialExists: (id: string) => boolean,
): string | undefined {
  const hasRange = d.minValue != null || d.maxValue != null;
  if (hasRange && d.type !== "numeric") return "minValue/maxValue apply only to numeric parameters";
  if (d.minValue != null && d.maxValue != null && d.minValue > d.maxValue)
    return "minValue must not exceed maxValue";
  if (d.credentialType != null && d.type !== "credential")
    return "credentialType applies only to credential parameters";
  const v = d.defaultValue;
  if (v === undefined || v === null || v === "") return undefined;
  switch (d.type) {
    case "string":
    case "deployment":
      return typeof v === "string" ? undefined : "defaultValue must be a string";
    case "boolean":
      return typeof v === "boolean" ? undefined : "defaultValue must be a boolean";
    case "numeric":
      if (typeof v !== "number") return "defaultValue must be a number";
      if (d.minValue != null && v < d.minValue) return `defaultValue ${v} is below minValue ${d.minValue}`;
      if (d.maxValue != null && v > d.maxValue) return `defaultValue ${v} is above maxValue ${d.maxValue}`;
      return undefined;
    case "credential":
      if (typeof v !== "string") return "defaultValue must be a credential id";
      return credentialExists(v) ? undefined : `defaultValue: credential ${v} does not exist`;
  }
}
