import { randomUUID } from "node:crypto";
import { EOL } from "node:os";
import { CiError } from "../errors.js";
import { appendRunnerFile, runnerFile } from "./runner-file.js";
import type { CiEnv } from "../env.js";

/** Output ids as GitHub accepts them: a letter or `_`, then letters, digits, `-` and `_`. */
const OUTPUT_NAME = /^[A-Za-z_][A-Za-z0-9_-]*$/;

/**
 * One step output in GitHub's multiline syntax (`name<<DELIM`, the value, `DELIM`). The delimiter is
 * random and drawn again until it occurs nowhere in the value, so no value can end it early or
 * smuggle in another output. `randomId` is for tests.
 */
export function formatOutput(name: string, value: string, randomId: () => string = randomUUID): string {
  if (!OUTPUT_NAME.test(name))
    throw new CiError(
      "ci-config",
      `invalid step output name ${JSON.stringify(name)}: use letters, digits, "-" and "_", starting with a letter or "_"`,
    );
  let delimiter = `ghadelimiter_${randomId()}`;
  while (value.includes(delimiter)) delimiter = `ghadelimiter_${randomId()}`;
  return `${name}<<${delimiter}${EOL}${value}${EOL}${delimiter}${EOL}`;
}

/**
 * Appends step outputs to `$GITHUB_OUTPUT`. Returns false, doing nothing, when the variable is not
 * set (not in Actions); a file that cannot be appended to is a CiError.
 */
export async function setOutputs(outputs: Readonly<Record<string, string>>, env: CiEnv): Promise<boolean> {
  const file = runnerFile(env, "GITHUB_OUTPUT");
  if (file === undefined) return false;
  const text = Object.entries(outputs)
    .map(([name, value]) => formatOutput(name, value))
    .join("");
  await appendRunnerFile(file, "GITHUB_OUTPUT", text);
  return true;
}
