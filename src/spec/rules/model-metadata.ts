import type { RuntimeParameterDefinition } from "../schema/model-metadata.js";
import type { ModelEntry, Rule, RuleContext } from "./context.js";
import { isInvalid, reporter } from "./context.js";

/** model-metadata.yaml on its own: the cross-field rules of API.md §10.2, reported in that file. */
export const metadataDefinitionRules: Rule = (ctx) => {
  for (const model of ctx.models) {
    const meta = model.facts.metadata;
    const definitions = meta?.parsed?.runtimeParameterDefinitions;
    if (!meta?.doc || !definitions) continue;
    const report = (path: (string | number)[], code: string, message: string): void =>
      ctx.report({ code, path, message, at: meta.doc!, kind: "CustomModel", name: model.name });
    const seen = new Set<string>();
    definitions.forEach((def, i) => {
      const at = (field: string): (string | number)[] => ["runtimeParameterDefinitions", i, field];
      if (seen.has(def.fieldName)) {
        report(
          at("fieldName"),
          "metadata-duplicate-parameter",
          `runtime parameter "${def.fieldName}" is defined twice`,
        );
      }
      seen.add(def.fieldName);
      for (const field of ["minValue", "maxValue"] as const) {
        if (def[field] !== undefined && def.type !== "numeric") {
          report(
            at(field),
            "metadata-invalid-definition",
            `${field} is only allowed on numeric parameters, and "${def.fieldName}" is ${def.type}`,
          );
        }
      }
      if (def.minValue !== undefined && def.maxValue !== undefined && def.minValue > def.maxValue) {
        report(
          at("minValue"),
          "metadata-invalid-definition",
          `minValue ${def.minValue} is greater than maxValue ${def.maxValue}`,
        );
      }
      if (def.credentialType !== undefined && def.type !== "credential") {
        report(
          at("credentialType"),
          "metadata-invalid-definition",
          `credentialType is only allowed on credential parameters, and "${def.fieldName}" is ${def.type}`,
        );
      }
      if (def.defaultValue !== undefined && def.defaultValue !== null) {
        const problem =
          def.type === "credential"
            ? checkCredentialDefault(def.defaultValue)
            : valueProblem(def, def.defaultValue);
        if (problem)
          report(
            at("defaultValue"),
            "metadata-invalid-default",
            `defaultValue of "${def.fieldName}": ${problem}`,
          );
      }
    });
  }
};

function checkCredentialDefault(value: string | number | boolean): string | undefined {
  return typeof value === "string"
    ? undefined
    : "a credential default must be a credential id (a string) or null";
}

/** Why `value` does not fit `def` (type, then min/max), or undefined when it does. API.md §2.7. */
export function valueProblem(
  def: RuntimeParameterDefinition,
  value: string | number | boolean,
): string | undefined {
  switch (def.type) {
    case "string":
    case "deployment":
      return typeof value === "string"
        ? undefined
        : `expected a string for a ${def.type} parameter, got ${typeof value} ${String(value)} (quote it: "${String(value)}")`;
    case "boolean":
      return typeof value === "boolean" || /^(true|false)$/i.test(String(value))
        ? undefined
        : `expected true or false for a boolean parameter, got ${JSON.stringify(value)}`;
    case "numeric": {
      const n =
        typeof value === "number"
          ? value
          : typeof value === "string" && value.trim() !== ""
            ? Number(value)
            : NaN;
      if (!Number.isFinite(n))
        return `expected a number for a numeric parameter, got ${JSON.stringify(value)}`;
      if (def.minValue !== undefined && n < def.minValue) return `${n} is below minValue ${def.minValue}`;
      if (def.maxValue !== undefined && n > def.maxValue) return `${n} is above maxValue ${def.maxValue}`;
      return undefined;
    }
    case "credential":
      return `"${def.fieldName}" is a credential parameter: give {credential: <name of a DataRobot credential>}, never the secret itself`;
  }
}

/** The manifest's runtimeParameters against the definitions in the model's own model-metadata.yaml. */
export const runtimeParameterRules: Rule = (ctx) => {
  for (const model of ctx.models) checkModel(ctx, model);
};

function checkModel(ctx: RuleContext, model: ModelEntry): void {
  // Without a readable source (or with invalid include/exclude) nothing is known of model-metadata.yaml.
  if (model.facts.source?.problem !== undefined || isInvalid(model, ["spec", "source"])) return;
  const report = reporter(ctx, model);
  const values = model.manifest.spec.runtimeParameters ?? {};
  const meta = model.facts.metadata;
  const names = Object.keys(values);
  if (meta === undefined) {
    if (names.length > 0) {
      report({
        code: "runtime-param-unknown",
        path: ["spec", "runtimeParameters"],
        message: `the source folder has no model-metadata.yaml, so no runtime parameters are defined; add runtimeParameterDefinitions for ${names.join(", ")} to model-metadata.yaml at the top of the source folder`,
      });
    }
    return;
  }
  const parsed = meta.parsed;
  if (parsed === undefined) return; // its own errors were reported; judging values against it would mislead
  const absent = (["name", "type", "targetType"] as const).filter((k) => parsed[k] === undefined);
  if (absent.length > 0 && meta.doc) {
    ctx.report({
      code: "metadata-incomplete",
      severity: "warning",
      path: [],
      message: `model-metadata.yaml lacks ${absent.join(", ")}; DRUM (and so DataRobot) requires name, type and targetType`,
      at: meta.doc,
      kind: "CustomModel",
      name: model.name,
    });
  }
  const targetType = model.manifest.spec.targetType;
  if (
    parsed.targetType !== undefined &&
    targetType !== undefined &&
    parsed.targetType !== targetType.toLowerCase()
  ) {
    report({
      code: "metadata-target-type-mismatch",
      path: ["spec", "targetType"],
      message: `targetType ${targetType} contradicts targetType "${parsed.targetType}" in ${meta.file}; make them agree`,
    });
  }
  const definitions = new Map((parsed.runtimeParameterDefinitions ?? []).map((d) => [d.fieldName, d]));
  for (const [name, value] of Object.entries(values)) {
    const path = ["spec", "runtimeParameters", name];
    const def = definitions.get(name);
    if (def === undefined) {
      const known = [...definitions.keys()];
      const suggestion = known.find((k) => k.toLowerCase() === name.toLowerCase());
      report({
        code: "runtime-param-unknown",
        path,
        atKey: true,
        message: `runtime parameter "${name}" is not defined in ${meta.file}${suggestion ? ` (did you mean "${suggestion}"?)` : known.length > 0 ? `; defined: ${known.join(", ")}` : ""}`,
      });
      continue;
    }
    if (typeof value === "object") {
      if ("credential" in value && def.type !== "credential") {
        report({
          code: "runtime-param-type",
          path,
          message: `"${name}" is a ${def.type} parameter; {credential} is only for credential parameters`,
        });
      } else if ("env" in value && def.type === "credential") {
        report({
          code: "runtime-param-credential",
          path,
          message: `"${name}" is a credential parameter: give {credential: <name of a DataRobot credential>}; secrets are never read from the environment`,
        });
      }
      continue; // {env} values are read and type-checked at plan time
    }
    if (def.type === "credential") {
      report({ code: "runtime-param-credential", path, message: valueProblem(def, value) ?? "" });
      continue;
    }
    const problem = valueProblem(def, value);
    if (problem) {
      report({
        code: /below|above/.test(problem) ? "runtime-param-range" : "runtime-param-type",
        path,
        message: `"${name}": ${problem}`,
      });
    } else if (value === "" && def.allowEmpty === false) {
      report({
        code: "runtime-param-required",
        path,
        message: `"${name}" has allowEmpty: false in ${meta.file}; an empty string is not a value`,
      });
    }
  }
  for (const def of definitions.values()) {
    const hasDefault = def.defaultValue !== undefined && def.defaultValue !== null && def.defaultValue !== "";
    const given = def.fieldName in values || isInvalid(model, ["spec", "runtimeParameters", def.fieldName]);
    if (def.allowEmpty === false && !hasDefault && !given) {
      report({
        code: "runtime-param-required",
        path: ["spec", "runtimeParameters", def.fieldName],
        message: `runtime parameter "${def.fieldName}" is required (allowEmpty: false, no defaultValue in ${meta.file}); set spec.runtimeParameters.${def.fieldName}`,
      });
    }
  }
}
