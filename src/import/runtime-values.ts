import type { RuntimeValue } from "../kinds/custom-model/schema.js";
import type { RuntimeParameterDefinition } from "../spec/schema/model-metadata.js";

/**
 * A live runtime parameter override as a manifest value, without ever writing a secret. DataRobot
 * keeps secrets in credentials; a `credential` parameter is written by the credential's name. A
 * string may still hold one (a token pasted into a string parameter), and nothing on DataRobot says
 * so: a string whose definition the model's model-metadata.yaml does not give, or whose name or
 * value looks like a secret, is written as `{env: NAME, sensitive: true}` instead, so the value stays
 * out of git and is compared by hash; the import says to export it.
 */

export interface LiveOverride {
  fieldName: string;
  type: string;
  overrideValue: string | number | boolean;
}

export type ImportedValue =
  | { kind: "value"; value: RuntimeValue }
  /** Written as `{env, sensitive}`: the reason is said in the manifest and on stderr. */
  | { kind: "withheld"; value: RuntimeValue; why: string }
  /** Not written: the reason says what the next apply would do. */
  | { kind: "skipped"; why: string };

/** Names people give secrets; a match is enough to keep a value out of the manifest. */
const SECRET_NAME = /SECRET|TOKEN|PASSW|PASSPHRASE|API_?KEY|PRIVATE|CREDENTIAL|AUTH|SIGNATURE|CERT/i;

/** A long unbroken run of letters and digits (with the usual token punctuation): key material. */
function looksLikeKey(value: string): boolean {
  return (
    /^[A-Za-z0-9_\-+/=.:]{24,}$/.test(value) &&
    /\d/.test(value) &&
    /[A-Za-z]/.test(value) &&
    !/^https?:/.test(value)
  );
}

export function importedValue(
  p: LiveOverride,
  definitions: readonly RuntimeParameterDefinition[],
  credentialNames: ReadonlyMap<string, string>,
): ImportedValue {
  const value = p.overrideValue;
  if (p.type === "credential") {
    const name = typeof value === "string" ? credentialNames.get(value) : undefined;
    if (name === undefined)
      return {
        kind: "skipped",
        why: `credential ${String(value)} is not in DataRobot's credentials list, and a manifest names credentials by name; add ${p.fieldName}: {credential: <name>} or the next apply resets it to its default`,
      };
    return { kind: "value", value: { credential: name } };
  }
  if (p.type === "numeric") {
    const n = typeof value === "number" ? value : Number(value);
    return Number.isFinite(n) && String(value).trim() !== ""
      ? { kind: "value", value: n }
      : { kind: "skipped", why: `its value is not a number; the next apply resets it to its default` };
  }
  if (p.type === "boolean") {
    const text = String(value).toLowerCase();
    if (text === "true" || text === "false") return { kind: "value", value: text === "true" };
    return { kind: "skipped", why: "its value is not a boolean; the next apply resets it to its default" };
  }
  const text = String(value);
  // A deployment id is an id, not a secret.
  if (p.type === "deployment") return { kind: "value", value: text };
  const known = definitions.some((d) => d.fieldName === p.fieldName && d.type === p.type);
  const why = !known
    ? "its definition is not in the model's model-metadata.yaml, so nothing says it is not a secret"
    : SECRET_NAME.test(p.fieldName)
      ? "its name says it may be a secret"
      : looksLikeKey(text)
        ? "its value looks like key material"
        : undefined;
  if (why === undefined) return { kind: "value", value: text };
  return { kind: "withheld", value: { env: p.fieldName, sensitive: true }, why };
}
