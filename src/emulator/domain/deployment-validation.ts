import type { PackageTarget } from "../store/model-packages.js";
import { ValidationCheckName, type ScriptedValidation } from "./scenario.js";

export { ValidationCheckName } from "./scenario.js";

export type ValidationStatus = "passing" | "failing";

/** The reply of POST `deployments/{did}/model/validation/` (API.md §13.7). */
export interface Validation {
  status: ValidationStatus;
  message: string;
  checks: Record<ValidationCheckName, { status: ValidationStatus; message: string }>;
}

export const VALIDATION_PASSED = "Model can be used to replace the current model";

/** The model a deployment serves, or one proposed to replace it. */
export interface ModelFacts {
  versionId: string;
  target: PackageTarget;
}

/** The proposed model: its package, or none yet (PY's `modelId`, when the version has no package). */
export interface CandidateFacts extends ModelFacts {
  packageId: string | null;
  built: boolean;
}

const shown = (v: string | null): string => v ?? "(none)";
const labels = (v: readonly string[] | null): string => (v === null ? "(none)" : `[${v.join(", ")}]`);

/** Binary labels are ordered (positive, negative); class labels are a set. */
function sameClassNames(
  target: PackageTarget,
  a: readonly string[] | null,
  b: readonly string[] | null,
): boolean {
  if (a === null || b === null) return a === b;
  const [x, y] = target.type === "Binary" ? [a, b] : [[...a].sort(), [...b].sort()];
  return x.length === y.length && x.every((v, i) => v === y[i]);
}

/**
 * The checks of §13.7, computed from the two models; a scenario may script a failing check (or make
 * every check pass). One failed check makes the whole validation `failing`; never `warning`.
 */
export function validateReplacement(
  current: ModelFacts,
  candidate: CandidateFacts,
  scripted?: ScriptedValidation,
): Validation {
  const [cur, cand] = [current.target, candidate.target];
  const verdicts: Record<ValidationCheckName, [boolean, string, string]> = {
    targetType: [
      cur.type === cand.type,
      `Target type ${cand.type} matches`,
      `Target type ${cand.type} does not match the deployment's ${cur.type}`,
    ],
    targetName: [
      cur.name === cand.name,
      `Target name ${shown(cand.name)} matches`,
      `Target name ${shown(cand.name)} does not match the deployment's ${shown(cur.name)}`,
    ],
    classLabels: [
      sameClassNames(cur, cur.classNames, cand.classNames),
      "Class labels match",
      `Class labels ${labels(cand.classNames)} do not match the deployment's ${labels(cur.classNames)}`,
    ],
    notCurrentModel: [
      current.versionId !== candidate.versionId,
      "The model is not the one the deployment serves",
      `Custom model version ${candidate.versionId} already serves this deployment`,
    ],
    modelPackageBuilt: [
      candidate.built,
      candidate.packageId === null
        ? "A model package will be built for the version"
        : "The model package is built",
      `Model package ${shown(candidate.packageId)} is still building`,
    ],
  };
  const checks = {} as Validation["checks"];
  for (const name of ValidationCheckName.options) {
    const [ok, passed, failed] = verdicts[name];
    const scriptedFail = scripted?.outcome === "fail" && scripted.check === name;
    const pass = scripted?.outcome === "pass" || (ok && !scriptedFail);
    const message = pass
      ? passed
      : scriptedFail
        ? (scripted.message ?? `${name} failed (scripted by the scenario file)`)
        : failed;
    checks[name] = { status: pass ? "passing" : "failing", message };
  }
  const failures = Object.values(checks).filter((c) => c.status === "failing");
  return failures.length === 0
    ? { status: "passing", message: VALIDATION_PASSED, checks }
    : { status: "failing", message: failures.map((c) => c.message).join("; "), checks };
}
