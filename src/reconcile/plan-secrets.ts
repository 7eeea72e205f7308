import type { Plan } from "./plan-file.js";

/**
 * The values of the sensitive runtime values a plan names (`{source: "sensitive", envVar}`, the
 * plan file's only way to refer to a secret), read from the environment, so that whatever apply
 * shows of a log can be redacted. Pure: the environment comes in as data.
 */
export function sensitiveValuesOf(plan: Pick<Plan, "actions">, env: NodeJS.ProcessEnv): string[] {
  const names = new Set<string>();
  const visit = (value: unknown): void => {
    if (Array.isArray(value)) for (const item of value) visit(item);
    else if (typeof value === "object" && value !== null) {
      const record = value as Record<string, unknown>;
      if (record["source"] === "sensitive" && typeof record["envVar"] === "string")
        names.add(record["envVar"]);
      for (const child of Object.values(record)) visit(child);
    }
  };
  visit(plan.actions);
  return [...names].flatMap((name) => {
    const value = env[name];
    return value === undefined || value === "" ? [] : [value];
  });
}
