import { sha256Digest } from "../../fingerprint.js";
import { StaleActionError } from "../executor.js";
import type { RuntimeParameterValue } from "../../plan-file.js";

/**
 * Reads a planned runtime value; a sensitive one from its environment variable, checked against the
 * plan's hash; null for a reset (API.md §2.7). The error names the variable, never the value.
 */
export function runtimeValue(
  p: RuntimeParameterValue,
  env: NodeJS.ProcessEnv,
): string | number | boolean | null {
  if (p.source === "value") return p.value;
  if (p.source === "default") return null;
  const raw = env[p.envVar];
  if (raw === undefined)
    throw new StaleActionError(
      `${p.fieldName}: environment variable ${p.envVar} is not set; export it and re-run`,
    );
  if (sha256Digest(raw) !== p.valueHash)
    throw new StaleActionError(
      `${p.fieldName}: the value of ${p.envVar} changed since the plan was made; run plan again`,
    );
  return raw;
}
