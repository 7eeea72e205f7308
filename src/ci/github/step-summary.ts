import { stat } from "node:fs/promises";
import { limitMarkdown } from "../markdown-limit.js";
import { appendRunnerFile, runnerFile } from "./runner-file.js";
import type { CiEnv } from "../env.js";

/** GitHub drops a step's summary above 1 MiB ("supports content up to a size of 1024k"). */
export const STEP_SUMMARY_LIMIT_BYTES = 1024 * 1024;

const utf8Bytes = (text: string): number => Buffer.byteLength(text, "utf8");

/**
 * Appends markdown to the job summary (`$GITHUB_STEP_SUMMARY`), never truncating what earlier
 * writers put there. Returns false, doing nothing, when the variable is not set (not in Actions);
 * a file that cannot be appended to is a CiError. Content beyond the step's 1 MiB allowance is cut
 * at a line boundary with a note, so the summary still shows instead of being dropped whole.
 */
export async function appendStepSummary(markdown: string, env: CiEnv): Promise<boolean> {
  const file = runnerFile(env, "GITHUB_STEP_SUMMARY");
  if (file === undefined) return false;
  const existing = await stat(file).then(
    (s) => s.size,
    () => 0,
  );
  const text = markdown.endsWith("\n") ? markdown : `${markdown}\n`;
  const { text: limited } = limitMarkdown(text, {
    max: Math.max(0, STEP_SUMMARY_LIMIT_BYTES - existing),
    measure: utf8Bytes,
    note: "> [!NOTE]\n> Cut here: the job summary of a step is limited to 1 MiB.",
  });
  await appendRunnerFile(file, "GITHUB_STEP_SUMMARY", limited);
  return true;
}
