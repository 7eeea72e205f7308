import type { RuntimeParameterDefinition } from "./schema/model-metadata.js";

export type RuntimeValueProblem = {
  code: "runtime-param-type" | "runtime-param-range" | "runtime-param-required" | "runtime-param-credential";
  /** Why, without the parameter's name (callers say where the value came from). */
  detail: string;
};

/**
 * Whether `value` fits `definition` (API.md §2.7, §10.2): type, then min/max, then allowEmpty. One
 * check for every source of a value: a literal in a manifest (validation) and an `{env}` value read at
 * plan time, so both get the same type, range and emptiness rules.
 */
export function checkRuntimeValue(
  definition: RuntimeParameterDefinition,
  value: string | number | boolean,
): RuntimeValueProblem | undefined {
  const type = (detail: string): RuntimeValueProblem => ({ code: "runtime-param-type", detail });
  switch (definition.type) {
    case "string":
    case "deployment":
      if (typeof value !== "string")
        return type(
          `expected a string for a ${definition.type} parameter, got ${typeof value} ${String(value)} (quote it: "${String(value)}")`,
        );
      break;
    case "boolean":
      if (typeof value !== "boolean" && !/^(true|false)$/i.test(String(value)))
        return type(`expected true or false for a boolean parameter, got ${JSON.stringify(value)}`);
      break;
    case "numeric": {
      const n =
        typeof value === "number"
          ? value
          : typeof value === "string" && value.trim() !== ""
            ? Number(value)
            : NaN;
      if (!Number.isFinite(n))
        return type(`expected a number for a numeric parameter, got ${JSON.stringify(value)}`);
      if (definition.minValue !== undefined && n < definition.minValue)
        return { code: "runtime-param-range", detail: `${n} is below minValue ${definition.minValue}` };
      if (definition.maxValue !== undefined && n > definition.maxValue)
        return { code: "runtime-param-range", detail: `${n} is above maxValue ${definition.maxValue}` };
      break;
    }
    case "credential":
      return {
        code: "runtime-param-credential",
        detail: `"${definition.fieldName}" is a credential parameter: give {credential: <name of a DataRobot credential>}, never the secret itself`,
      };
  }
  if (value === "" && definition.allowEmpty === false)
    return { code: "runtime-param-required", detail: "allowEmpty: false; an empty string is not a value" };
  return undefined;
}
