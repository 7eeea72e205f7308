/* global process */
// The logic of the drgitops composite action (action.yml): inputs -> one drgitops command line,
// its exit code and plan file -> step outputs. Self-contained (Node built-ins only), because with a
// `version` input it runs without the action's own checkout being installed or built.
import { spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { appendFileSync, existsSync, readFileSync, rmSync } from "node:fs";
import { EOL, tmpdir } from "node:os";
import { join } from "node:path";

/** @typedef {"validate" | "plan" | "apply"} Command */

/**
 * @typedef {object} Inputs
 * @property {Command} command
 * @property {string[]} paths
 * @property {string} profile
 * @property {string[]} args
 * @property {boolean} prComment
 * @property {string} version
 */

/** @typedef {{ file: string, argv: string[], shell: boolean }} Invocation */

/** @type {readonly Command[]} */
export const COMMANDS = ["validate", "plan", "apply"];

/**
 * Exit codes that leave the step green (DESIGN §8): plan's "changes" (2) and "drift" (6) are
 * answers, not failures.
 * @type {Readonly<Record<Command, readonly number[]>>}
 */
export const SUCCESS_CODES = { validate: [0], plan: [0, 2, 6], apply: [0] };

/** @type {Readonly<Record<number, string>>} */
const MEANING = {
  0: "success",
  1: "error",
  2: "changes present",
  3: "manifests invalid",
  4: "apply partly failed",
  5: "saved plan is stale",
  6: "drift detected",
  7: "a test gate failed",
};

export class InputError extends Error {}

/**
 * Splits an input into words the way a POSIX shell would, without running one: whitespace
 * (newlines included) separates, '…' and "…" quote, a backslash escapes the next character.
 * @param {string} text
 * @returns {string[]}
 */
export function splitWords(text) {
  /** @type {string[]} */
  const words = [];
  let word = "";
  let inWord = false;
  /** @type {"'" | '"' | undefined} */
  let quote;
  for (let i = 0; i < text.length; i++) {
    const c = /** @type {string} */ (text[i]);
    if (quote !== undefined) {
      if (c === quote) quote = undefined;
      else if (c === "\\" && quote === '"' && i + 1 < text.length && /["\\$`]/.test(text[i + 1] ?? ""))
        word += text[++i];
      else word += c;
    } else if (c === "'" || c === '"') {
      quote = c;
      inWord = true;
    } else if (c === "\\" && i + 1 < text.length) {
      word += text[++i];
      inWord = true;
    } else if (/\s/.test(c)) {
      if (inWord) words.push(word);
      word = "";
      inWord = false;
    } else {
      word += c;
      inWord = true;
    }
  }
  if (quote !== undefined) throw new InputError(`unterminated ${quote} quote in ${JSON.stringify(text)}`);
  if (inWord) words.push(word);
  return words;
}

/**
 * The inputs as the runner passes them to a JavaScript action (`INPUT_<NAME>`, upper case); the
 * composite action maps each one into its step's `env:` the same way.
 * @param {Readonly<Record<string, string | undefined>>} env
 * @returns {Inputs}
 */
export function readInputs(env) {
  const input = (/** @type {string} */ name) => (env[`INPUT_${name.toUpperCase()}`] ?? "").trim();
  const command = input("command") || "plan";
  if (!COMMANDS.includes(/** @type {Command} */ (command)))
    throw new InputError(
      `input command must be one of ${COMMANDS.join(", ")}, got ${JSON.stringify(command)}`,
    );
  const prComment = input("pr-comment").toLowerCase();
  if (!["", "true", "false"].includes(prComment))
    throw new InputError(`input pr-comment must be true or false, got ${JSON.stringify(prComment)}`);
  const version = input("version");
  // Passed to npx as one word; a version, range or dist-tag never needs more than these characters.
  if (version !== "" && !/^[A-Za-z0-9._+~^<>=*-]+$/.test(version))
    throw new InputError(
      `input version must be an npm version, range or tag, got ${JSON.stringify(version)}`,
    );
  return {
    command: /** @type {Command} */ (command),
    paths: splitWords(input("paths")),
    profile: input("profile"),
    args: splitWords(input("args")),
    prComment: prComment === "true",
    version,
  };
}

/**
 * The drgitops arguments for the inputs: the command, the paths, what the action itself needs
 * (`--detailed-exitcode --out <planFile>` for plan), then `--pr-comment`, `--profile` and `args`.
 * @param {Inputs} inputs
 * @param {string} planFile
 * @returns {string[]}
 */
export function drgitopsArgs(inputs, planFile) {
  const plan = inputs.command === "plan";
  return [
    inputs.command,
    ...inputs.paths,
    ...(plan ? ["--detailed-exitcode", "--out", planFile] : []),
    ...(plan && inputs.prComment ? ["--pr-comment"] : []),
    ...(inputs.profile === "" ? [] : ["--profile", inputs.profile]),
    ...inputs.args,
  ];
}

/**
 * Which drgitops runs: the action's own checkout (`bin/drgitops.js` under `actionPath`) by default,
 * else `npx -y drgitops@<version>`.
 * @param {Inputs} inputs
 * @param {string[]} args
 * @param {{ actionPath: string, nodePath: string, platform: string }} where
 * @returns {Invocation}
 */
export function invocation(inputs, args, where) {
  if (inputs.version === "")
    return {
      file: where.nodePath,
      argv: [join(where.actionPath, "bin", "drgitops.js"), ...args],
      shell: false,
    };
  // npx is a .cmd script on Windows, which Node starts only through a shell.
  return {
    file: "npx",
    argv: ["-y", `drgitops@${inputs.version}`, ...args],
    shell: where.platform === "win32",
  };
}

/**
 * `has-changes` and `drift` from the plan file (`actions` and `drift` arrays); empty when there is
 * no readable plan (validate, apply, or a plan that failed before writing one).
 * @param {string | undefined} planFile
 * @returns {{ "has-changes": string, drift: string, "plan-file": string }}
 */
export function planOutputs(planFile) {
  const none = { "has-changes": "", drift: "", "plan-file": "" };
  if (planFile === undefined || !existsSync(planFile)) return none;
  /** @type {unknown} */
  let plan;
  try {
    plan = JSON.parse(readFileSync(planFile, "utf8"));
  } catch {
    return none;
  }
  if (typeof plan !== "object" || plan === null) return none;
  const { actions, drift } = /** @type {{ actions?: unknown, drift?: unknown }} */ (plan);
  if (!Array.isArray(actions) || !Array.isArray(drift)) return none;
  return {
    "has-changes": String(actions.length > 0),
    drift: String(drift.length > 0),
    "plan-file": planFile,
  };
}

/**
 * Appends outputs to `$GITHUB_OUTPUT` in the multiline syntax, with a random delimiter that does
 * not occur in the value (src/ci/github/outputs.ts does the same for the CLI).
 * @param {string} file
 * @param {Readonly<Record<string, string>>} outputs
 */
export function writeOutputs(file, outputs) {
  let text = "";
  for (const [name, value] of Object.entries(outputs)) {
    let delimiter = `ghadelimiter_${randomUUID()}`;
    while (value.includes(delimiter)) delimiter = `ghadelimiter_${randomUUID()}`;
    text += `${name}<<${delimiter}${EOL}${value}${EOL}${delimiter}${EOL}`;
  }
  appendFileSync(file, text, "utf8");
}

/** @param {string} word */
function shellQuote(word) {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`;
}

/**
 * Runs a command with inherited output; resolves with its exit code (1 when it cannot start).
 * @param {Invocation} inv
 * @param {NodeJS.ProcessEnv} env
 * @returns {Promise<number>}
 */
function run(inv, env) {
  return new Promise((resolve) => {
    const child = spawn(inv.file, inv.argv, { stdio: "inherit", env, shell: inv.shell });
    child.on("error", (error) => {
      process.stdout.write(`::error::cannot start ${inv.file}: ${error.message}\n`);
      resolve(1);
    });
    child.on("close", (code) => resolve(code ?? 1));
  });
}

/**
 * The action's step: reads the inputs, runs drgitops, writes the outputs, and returns the process
 * exit code of the step (0 unless drgitops' exit code means failure for this command).
 * @param {NodeJS.ProcessEnv} env
 * @returns {Promise<number>}
 */
export async function main(env) {
  const outputFile = env["GITHUB_OUTPUT"];
  const write = (/** @type {Record<string, string>} */ outputs) => {
    if (outputFile !== undefined && outputFile !== "") writeOutputs(outputFile, outputs);
  };
  /** @type {Inputs} */
  let inputs;
  try {
    inputs = readInputs(env);
  } catch (error) {
    if (!(error instanceof InputError)) throw error;
    process.stdout.write(`::error title=drgitops action::${error.message}\n`);
    write({ exitcode: "1", ...planOutputs(undefined) });
    return 1;
  }
  if (inputs.prComment && inputs.command !== "plan")
    process.stdout.write(
      `::warning title=drgitops action::pr-comment applies to plan only; ignored for ${inputs.command}\n`,
    );
  const planFile = join(env["RUNNER_TEMP"] || tmpdir(), "drgitops-plan.json");
  // A plan left by an earlier step must never be read as this run's.
  rmSync(planFile, { force: true });
  const args = drgitopsArgs(inputs, planFile);
  const inv = invocation(inputs, args, {
    actionPath: env["GITHUB_ACTION_PATH"] ?? join(import.meta.dirname, ".."),
    nodePath: process.execPath,
    platform: process.platform,
  });
  process.stdout.write(`drgitops ${args.map(shellQuote).join(" ")}\n`);
  const code = await run(inv, env);
  write({ exitcode: String(code), ...planOutputs(inputs.command === "plan" ? planFile : undefined) });
  if (SUCCESS_CODES[inputs.command].includes(code)) return 0;
  process.stdout.write(
    `::error title=drgitops ${inputs.command}::drgitops ${inputs.command} exited ${code} (${MEANING[code] ?? "unknown exit code"})\n`,
  );
  return code;
}
