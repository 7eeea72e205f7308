import { z } from "zod";
import { HttpError } from "../http/errors.js";
import type { RuntimeParameterDefinition, RuntimeValue } from "./model-metadata.js";
import { RUNTIME_PARAMETER_TYPES, RuntimeValueSchema } from "./model-metadata.js";

/** A stored override: the type it was set for, so a redefinition with another type drops it. */
export const RuntimeOverrideSchema = z.object({
  type: z.enum(RUNTIME_PARAMETER_TYPES),
  value: RuntimeValueSchema,
});
export type RuntimeOverride = z.infer<typeof RuntimeOverrideSchema>;
export type RuntimeOverrides = Record<string, RuntimeOverride>;

/** The closed response entry of API.md §2.9: exactly these keys (PY rejects any other). */
export interface RuntimeParameterEntry {
  fieldName: string;
  type: string;
  description: string | null;
  allowEmpty: boolean;
  minValue: number | null;
  maxValue: number | null;
  defaultValue: RuntimeValue;
  overrideValue: RuntimeValue;
  currentValue: RuntimeValue;
}

const ValueItem = z.looseObject({
  fieldName: z.string().min(1),
  type: z.string().nullish(),
  value: z.unknown(),
});

const FIELD = "runtimeParameterValues";

function reject(message: string): HttpError {
  return new HttpError(422, message, { [FIELD]: message });
}

/**
 * Applies `runtimeParameterValues` (API.md §2.7): previous overrides survive only when a definition
 * with the same name and type still exists; each value is then checked and set (null removes it).
 * `credentialType(id)` returns the type of an existing credential, undefined when there is none.
 */
export function mergeRuntimeOverrides(
  definitions: readonly RuntimeParameterDefinition[],
  previous: RuntimeOverrides,
  values: unknown,
  credentialType: (id: string) => string | undefined,
): RuntimeOverrides {
  const byName = new Map(definitions.map((d) => [d.fieldName, d]));
  const next: RuntimeOverrides = {};
  for (const [name, o] of Object.entries(previous)) {
    if (byName.get(name)?.type === o.type) next[name] = o;
  }
  if (values === undefined || values === null) return next;
  const list = z.array(ValueItem).safeParse(values);
  if (!list.success)
    throw reject("runtimeParameterValues must be a list of {fieldName, type, value} objects");
  for (const item of list.data) {
    const def = byName.get(item.fieldName);
    if (!def) throw reject(`Runtime parameter ${item.fieldName} is not defined in model-metadata.yaml`);
    if (item.type != null && item.type !== def.type)
      throw reject(`Runtime parameter ${item.fieldName} has type ${def.type}, not ${String(item.type)}`);
    const value = checkValue(def, item.value, credentialType);
    if (value === null) delete next[def.fieldName];
    else next[def.fieldName] = { type: def.type, value };
  }
  return next;
}

function checkValue(
  def: RuntimeParameterDefinition,
  value: unknown,
  credentialType: (id: string) => string | undefined,
): RuntimeValue {
  if (value === null || value === undefined || value === "") return null;
  const name = def.fieldName;
  switch (def.type) {
    case "string":
    case "deployment":
      if (typeof value !== "string") throw reject(`Runtime parameter ${name} must be a string`);
      return value;
    case "boolean":
      if (typeof value === "boolean") return value;
      if (typeof value === "string" && /^(true|false)$/i.test(value)) return value.toLowerCase() === "true";
      throw reject(`Runtime parameter ${name} must be a boolean`);
    case "numeric": {
      const n = typeof value === "number" ? value : typeof value === "string" ? Number(value) : NaN;
      if (!Number.isFinite(n) || (typeof value === "string" && value.trim() === ""))
        throw reject(`Runtime parameter ${name} must be a number`);
      if (def.minValue !== null && n < def.minValue)
        throw reject(`Runtime parameter ${name} value ${n} is below minValue ${def.minValue}`);
      if (def.maxValue !== null && n > def.maxValue)
        throw reject(`Runtime parameter ${name} value ${n} is above maxValue ${def.maxValue}`);
      return n;
    }
    case "credential": {
      if (typeof value !== "string") throw reject(`Runtime parameter ${name} must be a credential id`);
      const type = credentialType(value);
      if (type === undefined) throw reject(`Runtime parameter ${name}: credential ${value} not found`);
      if (def.credentialType !== null && type !== def.credentialType)
        throw reject(
          `Runtime parameter ${name} needs a ${def.credentialType} credential; ${value} is ${type}`,
        );
      return value;
    }
  }
}

/** The response entries: `currentValue` is the override when set, else the default (API.md §2.7). */
export function runtimeParameterEntries(
  definitions: readonly RuntimeParameterDefinition[],
  overrides: RuntimeOverrides,
): RuntimeParameterEntry[] {
  return definitions.map((d) => {
    const overrideValue = overrides[d.fieldName]?.value ?? null;
    return {
      fieldName: d.fieldName,
      type: d.type,
      description: d.description,
      allowEmpty: d.allowEmpty,
      minValue: d.minValue,
      maxValue: d.maxValue,
      defaultValue: d.defaultValue,
      overrideValue,
      currentValue: overrideValue ?? d.defaultValue,
    };
  });
}

/** Required parameters (`allowEmpty: false`) without a current value; the test's errorCheck fails on them. */
export function missingRequiredParameters(entries: readonly RuntimeParameterEntry[]): string[] {
  return entries.filter((e) => !e.allowEmpty && e.currentValue === null).map((e) => e.fieldName);
}
