/**
 * A small stand-in for the GitHub Actions runner, enough to run action.yml's composite steps for
 * real: inputs with their defaults, `${{ }}` expressions of the kinds the action uses, per-step
 * GITHUB_OUTPUT / GITHUB_STEP_SUMMARY files read back as the runner reads them, `bash -eo pipefail`.
 */
import { spawn } from "node:child_process";
import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse } from "yaml";
import { z } from "zod";

/** action.yml, as far as these tests read it. */
export const ActionSchema = z.object({
  name: z.string(),
  description: z.string(),
  inputs: z.record(
    z.string(),
    z.object({ description: z.string(), required: z.boolean().optional(), default: z.string().optional() }),
  ),
  outputs: z.record(z.string(), z.object({ description: z.string(), value: z.string() })),
  runs: z.object({
    using: z.literal("composite"),
    steps: z.array(
      z.object({
        name: z.string().optional(),
        id: z.string().optional(),
        uses: z.string().optional(),
        with: z.record(z.string(), z.unknown()).optional(),
        shell: z.string().optional(),
        env: z.record(z.string(), z.string()).optional(),
        run: z.string().optional(),
      }),
    ),
  }),
});
export type ActionDefinition = z.infer<typeof ActionSchema>;

export async function loadAction(file: string): Promise<ActionDefinition> {
  return ActionSchema.parse(parse(await readFile(file, "utf8")));
}

/** Reads a GITHUB_OUTPUT / GITHUB_ENV file like the runner: `name=value` lines and `name<<DELIM` blocks. */
export function parseOutputFile(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line === "") continue;
    const eq = line.indexOf("=");
    const heredoc = line.indexOf("<<");
    if (eq >= 0 && (heredoc < 0 || eq < heredoc)) {
      out[line.slice(0, eq)] = line.slice(eq + 1);
    } else if (heredoc >= 0) {
      const name = line.slice(0, heredoc);
      const delimiter = line.slice(heredoc + 2);
      const value: string[] = [];
      for (i++; i < lines.length && lines[i] !== delimiter; i++) value.push(lines[i]!);
      if (i >= lines.length) throw new Error(`output ${name}: delimiter ${delimiter} never ends the value`);
      out[name] = value.join("\n");
    } else {
      throw new Error(`invalid output line: ${JSON.stringify(line)}`);
    }
  }
  return out;
}

interface Contexts {
  inputs: Record<string, string>;
  env: Record<string, string | undefined>;
  github: Record<string, string>;
  steps: Record<string, Record<string, string>>;
}

/** Evaluates the expressions action.yml uses: `a.b`, `steps.id.outputs.name`, and `x || y`. */
function evaluate(expression: string, ctx: Contexts): string {
  for (const alternative of expression.split("||").map((a) => a.trim())) {
    const parts = alternative.split(".");
    let value: string | undefined;
    if (parts[0] === "steps" && parts.length === 4 && parts[2] === "outputs")
      value = ctx.steps[parts[1]!]?.[parts[3]!] ?? "";
    else if (parts.length === 2 && (parts[0] === "inputs" || parts[0] === "env" || parts[0] === "github"))
      value = ctx[parts[0]][parts[1]!] ?? "";
    else throw new Error(`the test runner cannot evaluate \${{ ${expression} }}`);
    if (value !== "") return value;
  }
  return "";
}

function substitute(text: string, ctx: Contexts): string {
  return text.replace(/\$\{\{\s*(.*?)\s*\}\}/g, (_m, expression: string) => evaluate(expression, ctx));
}

export interface StepResult {
  name: string;
  skipped: boolean;
  exitCode: number;
  env: Record<string, string>;
  outputs: Record<string, string>;
  stdout: string;
  stderr: string;
}

export interface ActionRun {
  outcome: "success" | "failure";
  /** The action's outputs, as a workflow sees them (`steps.<id>.outputs.*`). */
  outputs: Record<string, string>;
  steps: StepResult[];
  log: string;
  /** RUNNER_TEMP of the run (the caller removes it). */
  runnerTemp: string;
}

function runBash(
  script: string,
  cwd: string,
  env: Record<string, string>,
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn("bash", ["--noprofile", "--norc", "-eo", "pipefail", script], { cwd, env });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on("data", (c: Buffer) => out.push(c));
    child.stderr.on("data", (c: Buffer) => err.push(c));
    child.on("error", reject);
    child.on("close", (code) =>
      resolve({
        code: code ?? 1,
        stdout: Buffer.concat(out).toString("utf8"),
        stderr: Buffer.concat(err).toString("utf8"),
      }),
    );
  });
}

/**
 * Runs a composite action's steps as the runner would. `uses:` steps are skipped (the test
 * machine's Node stands in for actions/setup-node); the first failing step fails the action.
 */
export async function runAction(options: {
  actionDir: string;
  inputs: Record<string, string>;
  workspace: string;
  /** The job's environment (PATH, HOME, connection variables, GITHUB_TOKEN...). */
  env: Record<string, string | undefined>;
  github?: Record<string, string>;
}): Promise<ActionRun> {
  const action = await loadAction(join(options.actionDir, "action.yml"));
  const unknown = Object.keys(options.inputs).filter((name) => !(name in action.inputs));
  if (unknown.length > 0) throw new Error(`inputs not declared in action.yml: ${unknown.join(", ")}`);
  const inputs = Object.fromEntries(
    Object.entries(action.inputs).map(([name, input]) => [name, options.inputs[name] ?? input.default ?? ""]),
  );
  const runnerTemp = await mkdtemp(join(tmpdir(), "drgitops-runner-"));
  const ctx: Contexts = { inputs, env: options.env, github: { token: "", ...options.github }, steps: {} };
  const steps: StepResult[] = [];
  let outcome: ActionRun["outcome"] = "success";
  for (const [index, step] of action.runs.steps.entries()) {
    const name = step.name ?? step.id ?? `step ${index}`;
    if (step.uses !== undefined) {
      steps.push({ name, skipped: true, exitCode: 0, env: {}, outputs: {}, stdout: "", stderr: "" });
      continue;
    }
    if (step.run === undefined || step.shell !== "bash")
      throw new Error(`step ${name}: expected a bash run step`);
    const outputFile = join(runnerTemp, `output-${index}`);
    const summaryFile = join(runnerTemp, `summary-${index}`);
    const scriptFile = join(runnerTemp, `step-${index}.sh`);
    await writeFile(outputFile, "");
    await writeFile(summaryFile, "");
    await writeFile(scriptFile, substitute(step.run, ctx));
    const stepEnv = Object.fromEntries(
      Object.entries(step.env ?? {}).map(([key, value]) => [key, substitute(value, ctx)]),
    );
    const env: Record<string, string> = {
      ...(Object.fromEntries(Object.entries(options.env).filter(([, v]) => v !== undefined)) as Record<
        string,
        string
      >),
      CI: "true",
      GITHUB_ACTIONS: "true",
      GITHUB_ACTION_PATH: options.actionDir,
      GITHUB_WORKSPACE: options.workspace,
      RUNNER_TEMP: runnerTemp,
      GITHUB_OUTPUT: outputFile,
      GITHUB_STEP_SUMMARY: summaryFile,
      ...stepEnv,
    };
    const result = await runBash(scriptFile, options.workspace, env);
    const outputs = parseOutputFile(await readFile(outputFile, "utf8"));
    if (step.id !== undefined) ctx.steps[step.id] = outputs;
    steps.push({
      name,
      skipped: false,
      exitCode: result.code,
      env: stepEnv,
      outputs,
      stdout: result.stdout,
      stderr: result.stderr,
    });
    if (result.code !== 0) {
      outcome = "failure";
      break;
    }
  }
  const outputs = Object.fromEntries(
    Object.entries(action.outputs).map(([name, output]) => [name, substitute(output.value, ctx)]),
  );
  const log = steps.map((s) => `## ${s.name}\n${s.stdout}${s.stderr}`).join("\n");
  return { outcome, outputs, steps, log, runnerTemp };
}
