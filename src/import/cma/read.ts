import { readdir, readFile, realpath, stat } from "node:fs/promises";
import { dirname, join, relative, resolve, sep } from "node:path";
import type { FieldPath } from "../../spec/issue.js";
import { locate, parseYaml } from "../../spec/yaml-doc.js";
import type { YamlDoc } from "../../spec/yaml-doc.js";
import { parseWith } from "../../spec/zod-issues.js";
import { fnmatchRegExp } from "./glob.js";
import { cmaAbsolute } from "./model-files.js";
import { isPyFloatAt, numberPaths, parsePyYaml } from "./pyyaml.js";
import {
  classifyCmaDocument,
  CmaDeploymentSchema,
  CmaModelSchema,
  CmaMultiDeploymentsSchema,
  CmaMultiModelsSchema,
} from "./schema.js";
import type { CmaDeployment, CmaModel } from "./schema.js";

/**
 * Reads a custom-models-action repository as CMA does: every `**\/*.yaml` and `**\/*.yml` below the
 * root (Python glob, so hidden folders such as `.github/` are not searched), each parsed with
 * PyYAML's rules, and taken for a model definition, a multi-model definition, a deployment or a
 * list of deployments by CMA's own tests. CMA stops at the first bad file; this reads them all and
 * returns every problem with its file, line and column.
 */

export interface Located {
  /** Absolute path of the YAML file. */
  file: string;
  /** Where the definition starts inside the file's document ([] for a single definition). */
  at: FieldPath;
  /** 1-based line and column of the node at `path` inside the definition (its parent when absent). */
  locate(path: FieldPath): { line: number; column: number };
}

export interface CmaModelDefinition extends Located {
  definition: CmaModel;
  /** The model's root folder, spelled as CMA spells it (absolute, possibly with `..`). */
  modelRoot: string;
}

export interface CmaDeploymentDefinition extends Located {
  definition: CmaDeployment;
}

export interface CmaProblem {
  file: string;
  line: number;
  column: number;
  severity: "error" | "warning";
  message: string;
}

export interface CmaWorkflowStep {
  file: string;
  line: number;
  /** The step's `with.namespace`, when set. */
  namespace?: string;
}

export interface CmaRepository {
  /** Absolute repository root (CMA's GITHUB_WORKSPACE). */
  dir: string;
  models: CmaModelDefinition[];
  deployments: CmaDeploymentDefinition[];
  /** The workflow steps that run the action, with their namespace input. */
  workflowSteps: CmaWorkflowStep[];
  problems: CmaProblem[];
}

/** Where CMA wants a Python float; every other number in a model definition must be an int. */
const FLOAT_KEYS = new Set(["prediction_threshold", "match_threshold"]);

const YAML_NAME = fnmatchRegExp("*.yaml");
const YML_NAME = fnmatchRegExp("*.yml");

/** `glob("<root>/**\/*.yaml")` + `glob("<root>/**\/*.yml")`: hidden names skipped, symlinked folders followed. */
async function definitionFiles(root: string): Promise<string[]> {
  const out: string[] = [];
  const stack = new Set<string>();
  async function walk(dir: string): Promise<void> {
    const real = await realpath(dir).catch(() => undefined);
    if (real === undefined || stack.has(real)) return;
    stack.add(real);
    const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
    for (const e of entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
      if (e.name.startsWith(".")) continue;
      const path = join(dir, e.name);
      const s = e.isSymbolicLink() ? await stat(path).catch(() => undefined) : e;
      if (s?.isDirectory()) await walk(path);
      else if (YAML_NAME.test(e.name) || YML_NAME.test(e.name)) out.push(path);
    }
    stack.delete(real);
  }
  await walk(root);
  return out;
}

export async function readCmaRepository(dir: string): Promise<CmaRepository> {
  const root = resolve(dir);
  const repo: CmaRepository = { dir: root, models: [], deployments: [], workflowSteps: [], problems: [] };
  const seenModels = new Map<string, CmaModelDefinition>();
  const seenDeployments = new Set<string>();
  for (const file of await definitionFiles(root)) {
    const text = await readFile(file, "utf8").catch((error: unknown) => {
      repo.problems.push(problem(file, 1, 1, `cannot read: ${String(error)}`));
      return undefined;
    });
    if (text === undefined) continue;
    const parsed = parsePyYaml(file, text);
    if (parsed.kind === "empty") continue;
    if (parsed.kind === "error") {
      // CMA's scan reads every YAML file, so a broken one stops the action even if it is not CMA's.
      repo.problems.push(problem(file, parsed.line, parsed.column, `${parsed.message} (CMA stops on it)`));
      continue;
    }
    const doc = parsed.doc;
    const kind = classifyCmaDocument(doc.data);
    if (kind.models) {
      for (const model of readModels(doc, kind.models, root, repo.problems)) {
        const twin = seenModels.get(model.definition.user_provided_model_id);
        if (twin) {
          const pos = model.locate(["user_provided_model_id"]);
          repo.problems.push(
            problem(
              file,
              pos.line,
              pos.column,
              `user_provided_model_id ${model.definition.user_provided_model_id} is also defined in ${relative(root, twin.file)}: CMA refuses both (ModelMetadataAlreadyExists)`,
            ),
          );
          continue;
        }
        seenModels.set(model.definition.user_provided_model_id, model);
        repo.models.push(model);
      }
    }
    if (kind.deployments) {
      for (const d of readDeployments(doc, kind.deployments, repo.problems)) {
        const id = d.definition.user_provided_deployment_id;
        if (seenDeployments.has(id)) {
          const pos = d.locate(["user_provided_deployment_id"]);
          repo.problems.push(problem(file, pos.line, pos.column, `deployment ${id} is defined twice`));
          continue;
        }
        seenDeployments.add(id);
        repo.deployments.push(d);
      }
    }
  }
  repo.workflowSteps = await workflowSteps(root, repo.problems);
  return repo;
}

function problem(file: string, line: number, column: number, message: string): CmaProblem {
  return { file, line, column, severity: "error", message };
}

function located(doc: YamlDoc, at: FieldPath): Located {
  return { file: doc.file, at, locate: (path) => locate(doc, [...at, ...path], true) };
}

function schemaProblems(
  doc: YamlDoc,
  issues: { path: FieldPath; message: string; atKey?: boolean }[],
): CmaProblem[] {
  return issues.map((issue) => {
    const pos = locate(doc, issue.path, issue.atKey);
    const where = issue.path.length > 0 ? `${issue.path.join(".")}: ` : "";
    return problem(doc.file, pos.line, pos.column, `${where}${issue.message}`);
  });
}

/** CMA's int-versus-float checks (`And(float, ...)` and `And(int, ...)`), which JSON numbers lose. */
function numberTypeProblems(doc: YamlDoc, at: FieldPath): CmaProblem[] {
  const out: CmaProblem[] = [];
  for (const path of numberPaths(doc)) {
    if (!at.every((segment, i) => path[i] === segment)) continue;
    const wantsFloat = FLOAT_KEYS.has(String(path.at(-1)));
    if (isPyFloatAt(doc, path) === wantsFloat) continue;
    // Class labels may be any value (CMA takes a plain list); the conversion judges them.
    if (path.includes("class_labels")) continue;
    const pos = locate(doc, path);
    out.push(
      problem(
        doc.file,
        pos.line,
        pos.column,
        `${path.join(".")}: CMA requires ${wantsFloat ? "a float (write it with a decimal point, e.g. 1.0)" : "a whole number"}`,
      ),
    );
  }
  return out;
}

function readModels(
  doc: YamlDoc,
  kind: "multi" | "single",
  root: string,
  problems: CmaProblem[],
): CmaModelDefinition[] {
  const schema = kind === "multi" ? CmaMultiModelsSchema : CmaModelSchema;
  const result = parseWith(schema, doc.data);
  const typeProblems = numberTypeProblems(doc, []);
  if (result.data === undefined || typeProblems.length > 0) {
    problems.push(...schemaProblems(doc, result.issues), ...typeProblems);
    return [];
  }
  const yamlDir = dirname(doc.file);
  if (kind === "single")
    return [{ ...located(doc, []), definition: result.data as CmaModel, modelRoot: yamlDir }];
  const multi = result.data as { datarobot_models: { model_path: string; model_metadata: CmaModel }[] };
  return multi.datarobot_models.map((entry, i) => ({
    ...located(doc, ["datarobot_models", i, "model_metadata"]),
    definition: entry.model_metadata,
    // `_to_absolute(model_path, Path(yaml_path).parent)`.
    modelRoot: cmaAbsolute(entry.model_path, yamlDir, root),
  }));
}

function readDeployments(
  doc: YamlDoc,
  kind: "multi" | "single",
  problems: CmaProblem[],
): CmaDeploymentDefinition[] {
  if (kind === "single") {
    const result = parseWith(CmaDeploymentSchema, doc.data);
    if (result.data === undefined) {
      problems.push(...schemaProblems(doc, result.issues));
      return [];
    }
    return [{ ...located(doc, []), definition: result.data }];
  }
  const result = parseWith(CmaMultiDeploymentsSchema, doc.data);
  if (result.data === undefined) {
    problems.push(...schemaProblems(doc, result.issues));
    return [];
  }
  return result.data.map((definition, i) => ({ ...located(doc, [i]), definition }));
}

const ACTION = /^[^/]+\/custom-models-action(@.*)?$/i;

/**
 * The steps of `.github/workflows/*.y(a)ml` that run custom-models-action, with their `namespace`
 * input: what CMA used when the team did not say. GitHub reads workflows as YAML 1.2; a broken one
 * is only a warning here, since it is not a model definition.
 */
async function workflowSteps(root: string, problems: CmaProblem[]): Promise<CmaWorkflowStep[]> {
  const folder = join(root, ".github", "workflows");
  const names = await readdir(folder).catch(() => [] as string[]);
  const out: CmaWorkflowStep[] = [];
  for (const name of names.sort()) {
    if (!/\.ya?ml$/.test(name)) continue;
    const file = join(folder, name);
    const text = await readFile(file, "utf8").catch(() => undefined);
    if (text === undefined) continue;
    const parsed = parseYaml(file, text);
    for (const issue of parsed.issues)
      problems.push({ ...problem(file, issue.line, issue.column, issue.message), severity: "warning" });
    const doc = parsed.docs[0];
    if (doc === undefined || typeof doc.data !== "object" || doc.data === null) continue;
    const jobs = (doc.data as { jobs?: unknown }).jobs;
    if (typeof jobs !== "object" || jobs === null) continue;
    for (const [jobName, job] of Object.entries(jobs as Record<string, unknown>)) {
      const steps = (job as { steps?: unknown } | null)?.steps;
      if (!Array.isArray(steps)) continue;
      steps.forEach((step: unknown, i) => {
        const s = step as { uses?: unknown; with?: { namespace?: unknown } } | null;
        if (typeof s?.uses !== "string" || !ACTION.test(s.uses.trim())) return;
        const pos = locate(doc, ["jobs", jobName, "steps", i, "uses"]);
        const namespace = s.with?.namespace;
        out.push({
          file,
          line: pos.line,
          ...(typeof namespace === "string" || typeof namespace === "number"
            ? namespace === ""
              ? {}
              : { namespace: String(namespace) }
            : {}),
        });
      });
    }
  }
  return out;
}

/** A path relative to the repository root, POSIX, for messages and reports. */
export function repoPath(root: string, file: string): string {
  return relative(root, file).split(sep).join("/");
}
