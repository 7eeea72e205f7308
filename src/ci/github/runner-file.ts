import { appendFile } from "node:fs/promises";
import { CiError, ioReason } from "../errors.js";
import type { CiEnv } from "../env.js";

/** The runner's files drgitops writes to, by variable, with what they are (for error messages). */
export const RUNNER_FILES = {
  GITHUB_STEP_SUMMARY: "job summary",
  GITHUB_OUTPUT: "step output",
} as const;
export type RunnerFileVariable = keyof typeof RUNNER_FILES;

/** The path a runner variable names, or undefined outside Actions (unset or empty). */
export function runnerFile(env: CiEnv, variable: RunnerFileVariable): string | undefined {
  const file = env[variable];
  return file === undefined || file === "" ? undefined : file;
}

/** Appends (never truncates: earlier steps and writers keep their part); a failure is a CiError naming the variable. */
export async function appendRunnerFile(
  file: string,
  variable: RunnerFileVariable,
  text: string,
): Promise<void> {
  try {
    await appendFile(file, text, "utf8");
  } catch (error) {
    throw new CiError(
      "ci-io",
      `cannot append to the ${RUNNER_FILES[variable]} file ${file} (${variable}): ${ioReason(error)}`,
    );
  }
}
