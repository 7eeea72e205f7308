import { resolve } from "node:path";
import { UsageError } from "../../errors.js";
import { checkWritten, type WrittenCheck } from "../../import/check.js";
import { convertCmaRepository, writeConversion, type ConversionResult } from "../../import/cma/index.js";
import { checkName, importProject, type ImportProject } from "../../import/project.js";
import {
  importEnvironment,
  importModels,
  type EnvironmentImport,
  type ModelsImport,
} from "../../import/run.js";
import { findProjectRoot, loadProjectConfig } from "../../spec/index.js";
import type { CliContext } from "../context.js";
import { namespaceFor } from "../namespace.js";
import { ExitCode } from "../exit-codes.js";
import { addConnectionOptions, connect, displayFile, formatIssue, selectProfile } from "../shared.js";
import { formatBytes } from "../views/format.js";
import type { RegisterCommand } from "./index.js";

interface ImportFlags {
  name?: string;
  all?: boolean;
  environment?: string;
  fromCma?: string;
  dir?: string;
  namespace?: string;
  force?: boolean;
  dryRun?: boolean;
  endpoint?: string;
  token?: string;
  profile?: string;
}

const HELP = `
Modes (exactly one):
  drgitops import MODEL_ID --name NAME      one custom model: DIR/manifests/NAME.yaml and its latest
                                            version's files in DIR/models/NAME/, then adoption
  drgitops import --all                     every model outside any drgitops namespace (names from
                                            the model names, made valid and unique)
  drgitops import --environment ENV_ID --name NAME
                                            an ExecutionEnvironment manifest and its latest docker
                                            context in DIR/envs/NAME/, adopted by its trailer
  drgitops import --from-cma DIR [--dir OUT]
                                            a custom-models-action repository's model definitions

Adoption sets the model's userProvidedId to <namespace>/NAME (a PATCH, API.md §1.2), so the next
plan finds it by key: it creates no model and no version, and apply at most records ownership and
annotates the latest version. A runtime value that may be a secret is never written: the manifest
reads it from an environment variable (sensitive) and its header says so.

Examples:
  drgitops import 65f0c1e2a3b4c5d6e7f80912 --name fraud-detector
  drgitops import --all --dir ./imported --dry-run
  drgitops import --environment 65f0c1e2a3b4c5d6e7f80913 --name python311-sklearn
  drgitops import --from-cma . --namespace 712345678

Exit codes: 0 written (or shown, with --dry-run), 1 error (usage, unknown id, API, a file that exists
without --force, a model drgitops may not take over), 3 the written manifests do not validate.
`;

/** `drgitops import`: bring models and environments made elsewhere under management (DESIGN.md §13). */
export const register: RegisterCommand = (program, ctx, run) => {
  const command = program
    .command("import")
    .description("Write manifests for models or environments made elsewhere, and adopt them")
    .argument("[modelId]", "the custom model to import")
    .option("--name <name>", "metadata.name of the manifest (with MODEL_ID and --environment)")
    .option("--all", "import every model outside any drgitops namespace")
    .option("--environment <envId>", "import an execution environment instead of a model")
    .option("--from-cma <dir>", "convert a custom-models-action repository")
    .option(
      "--dir <dir>",
      "where manifests/, models/ and envs/ go (default: the current folder; --from-cma: DIR)",
    )
    .option("--namespace <namespace>", "namespace of the keys (default: drgitops.yaml, else the git remote)")
    .option("--force", "replace files that exist (never without it: nothing is written then)")
    .option("--dry-run", "show what would be written and changed; write nothing, change nothing");
  addConnectionOptions(command).addHelpText("after", HELP);
  command.action((modelId: string | undefined, flags: ImportFlags) =>
    run(async () => {
      const mode = modeOf(modelId, flags);
      if (mode === "cma") return await fromCma(ctx, flags);
      const dir = resolve(ctx.cwd, flags.dir ?? ".");
      // The profile's namespace is where the model is adopted, as its connection is where it is read.
      const config = await loadProjectConfig(await findProjectRoot(dir));
      const selected = selectProfile(ctx, config, flags.profile);
      const p = await importProject(
        dir,
        await namespaceFor(dir, flags.namespace, selected?.profile.namespace),
      );
      const connection = await connect(ctx, p.project, flags);
      const options = { force: flags.force === true, dryRun: flags.dryRun === true, signal: ctx.signal };
      try {
        if (mode === "environment") {
          const request = { id: flags.environment!, name: checkName(flags.name!) };
          const result = await importEnvironment(p, connection.client, request, options);
          showEnvironment(ctx, result, options.dryRun);
          return options.dryRun ? ExitCode.ok : await checked(ctx, where(p), result.written, []);
        }
        const request =
          mode === "all" ? { all: true as const } : { id: modelId!, name: checkName(flags.name!) };
        const result = await importModels(p, connection.client, request, options);
        showModels(ctx, result, options.dryRun);
        if (options.dryRun || result.written.length === 0) return ExitCode.ok;
        const versions = result.prepared.map((m) => ({
          key: m.key,
          paths: m.version.items.map((i) => i.filePath),
        }));
        return await checked(ctx, where(p), result.written, versions);
      } finally {
        await connection.close();
      }
    }),
  );
};

type Mode = "model" | "all" | "environment" | "cma";

const where = (p: ImportProject) => ({ root: p.project.root, namespace: p.namespace });

function modeOf(modelId: string | undefined, flags: ImportFlags): Mode {
  const given: [Mode, boolean][] = [
    ["model", modelId !== undefined],
    ["all", flags.all === true],
    ["environment", flags.environment !== undefined],
    ["cma", flags.fromCma !== undefined],
  ];
  const modes = given.filter(([, on]) => on).map(([m]) => m);
  if (modes.length !== 1)
    throw new UsageError("give exactly one of MODEL_ID, --all, --environment ENV_ID or --from-cma DIR");
  const mode = modes[0]!;
  const needsName = mode === "model" || mode === "environment";
  if (needsName && flags.name === undefined)
    throw new UsageError(`--name NAME is required with ${mode === "model" ? "MODEL_ID" : "--environment"}`);
  if (!needsName && flags.name !== undefined)
    throw new UsageError(
      `--name is not used with ${mode === "all" ? "--all (names come from the models)" : "--from-cma"}`,
    );
  return mode;
}

function write(ctx: CliContext, line: string): void {
  ctx.stdout.write(`${line}\n`);
}

function showFiles(
  ctx: CliContext,
  verb: string,
  folder: string,
  files: readonly { path: string; size: number }[],
): void {
  const total = files.reduce((n, f) => n + f.size, 0);
  write(
    ctx,
    `  ${verb} ${displayFile(folder, ctx.cwd)}/ (${files.length} file${files.length === 1 ? "" : "s"}, ${formatBytes(total)})`,
  );
  for (const f of files) write(ctx, `      ${f.path} (${formatBytes(f.size)})`);
}

function showManifest(ctx: CliContext, dryRun: boolean, manifest: { path: string; content: string }): void {
  write(ctx, `  ${dryRun ? "would write" : "wrote"} ${displayFile(manifest.path, ctx.cwd)}`);
  if (dryRun) for (const line of manifest.content.trimEnd().split("\n")) write(ctx, `      ${line}`);
}

function showModels(ctx: CliContext, result: ModelsImport, dryRun: boolean): void {
  if (dryRun) write(ctx, "dry run: nothing is written and nothing on DataRobot changes");
  for (const m of result.prepared) {
    write(ctx, `model ${m.model.id} "${m.model.name}" as ${m.name} (key ${m.key})`);
    showManifest(ctx, dryRun, m.manifest);
    showFiles(ctx, dryRun ? "would write" : "wrote", m.folder, m.staged.files);
    const adopted = m.userProvidedId === m.key;
    write(
      ctx,
      adopted
        ? `  adoption: userProvidedId is already ${m.key}`
        : `  ${dryRun ? "would adopt" : "adopted"}: userProvidedId ${m.userProvidedId === null ? "" : `${m.userProvidedId} -> `}${m.key} (PATCH customModels/${m.model.id}/)`,
    );
    for (const note of m.notes) ctx.stderr.write(`note: ${m.name}: ${note}\n`);
  }
  for (const s of result.skipped) write(ctx, `skipped model ${s.model.id} "${s.model.name}": ${s.why}`);
  if (result.prepared.length === 0) write(ctx, "no model to import");
  else if (!dryRun)
    write(
      ctx,
      "next: `drgitops plan` creates no model and no version; `drgitops apply` records ownership and annotates the latest versions",
    );
}

function showEnvironment(ctx: CliContext, result: EnvironmentImport, dryRun: boolean): void {
  const e = result.prepared;
  if (dryRun) write(ctx, "dry run: nothing is written and nothing on DataRobot changes");
  write(ctx, `environment ${e.environment.id} "${e.environment.name}" as ${e.name} (key ${e.key})`);
  showManifest(ctx, dryRun, e.manifest);
  showFiles(ctx, dryRun ? "would write" : "wrote", e.folder, e.staged.files);
  write(
    ctx,
    `  ${dryRun ? "would adopt" : "adopted"}: trailer for ${e.key} in the environment's description, version ${e.version.id} as its build`,
  );
  for (const note of e.notes) ctx.stderr.write(`note: ${e.name}: ${note}\n`);
}

/** The written manifests as the next `validate` sees them: exit 3 when they are invalid. */
async function checked(
  ctx: CliContext,
  where: { root: string; namespace: string },
  written: readonly string[],
  versions: Parameters<typeof checkWritten>[3],
): Promise<number> {
  const check: WrittenCheck = await checkWritten(where.root, where.namespace, written, versions);
  for (const d of check.fileDifferences)
    ctx.stderr.write(
      `warning: ${d.key}: the source folder ${d.added.length > 0 ? `adds ${d.added.join(", ")}` : ""}${d.added.length > 0 && d.missing.length > 0 ? " and " : ""}${d.missing.length > 0 ? `lacks ${d.missing.join(", ")}` : ""} compared with the version; the next apply makes a version\n`,
    );
  for (const issue of check.issues) ctx.stderr.write(`${formatIssue(issue, ctx.cwd)}\n`);
  const errors = check.issues.filter((i) => i.severity === "error").length;
  if (errors === 0) return ExitCode.ok;
  ctx.stderr.write(
    `the written manifests have ${errors} error${errors === 1 ? "" : "s"}; fix them before plan\n`,
  );
  return ExitCode.invalidManifests;
}

/** `--from-cma DIR`: convert, report what is not carried over, write (or show) the manifests. */
async function fromCma(ctx: CliContext, flags: ImportFlags): Promise<number> {
  const dir = resolve(ctx.cwd, flags.fromCma!);
  const outDir = resolve(ctx.cwd, flags.dir ?? flags.fromCma!);
  const result: ConversionResult = await convertCmaRepository({
    dir,
    outDir,
    ...(flags.namespace !== undefined ? { namespace: flags.namespace } : {}),
  });
  const dryRun = flags.dryRun === true;
  if (dryRun) write(ctx, "dry run: nothing is written");
  write(ctx, `namespace ${result.namespace} (custom-models-action's: ${result.cmaNamespace})`);
  for (const m of result.models) write(ctx, `model ${m.userProvidedId} as ${m.name}`);
  for (const name of result.registeredModels)
    write(ctx, `registered model ${name} (registers the versions of ${name})`);
  for (const d of result.deployments)
    write(ctx, `deployment ${d.userProvidedId} as ${d.name} (serves ${d.model})`);
  for (const r of result.report)
    write(
      ctx,
      `${displayFile(resolve(dir, r.file), ctx.cwd)}:${r.line}:${r.column}  ${r.model}  ${r.setting}  ${r.reason}`,
    );
  for (const problem of result.problems)
    ctx.stderr.write(
      `${displayFile(resolve(dir, problem.file), ctx.cwd)}:${problem.line}:${problem.column}  ${problem.severity}: ${problem.message} (not converted)\n`,
    );
  if (dryRun) {
    for (const f of result.files) write(ctx, `would write ${displayFile(f.path, ctx.cwd)}`);
    return ExitCode.ok;
  }
  const written = await writeConversion(result, { force: flags.force === true });
  for (const f of written) write(ctx, `wrote ${displayFile(f, ctx.cwd)}`);
  write(
    ctx,
    "next: stop the custom-models-action workflow, then `drgitops plan` (no new model, no new version, no new deployment)",
  );
  const root = await findProjectRoot(outDir);
  return await checked(ctx, { root, namespace: result.namespace }, written, []);
}
