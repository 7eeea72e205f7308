import { join } from "node:path";
import {
  ApiError,
  isNotFound,
  type DataRobotClient,
  type Environment,
  type EnvironmentVersion,
} from "../client/index.js";
import { DrgitopsError } from "../errors.js";
import { contextDigest, environmentFieldsDigest } from "../kinds/execution-environment/desired.js";
import {
  EXECUTION_ENVIRONMENT,
  ExecutionEnvironmentManifestSchema,
} from "../kinds/execution-environment/schema.js";
import { parseDescription, withTrailer, type Trailer } from "../reconcile/trailer.js";
import { hashFile } from "../spec/hash-file.js";
import { ProgrammingLanguageSchema, UseCaseSchema } from "../client/wire/environment.js";
import { stageArchive, type Staged } from "./download.js";
import { ImportRefused } from "./model.js";
import { refuseDuplicateName, type ImportProject } from "./project.js";
import { checkManifest, yamlText } from "./yaml.js";

/**
 * `drgitops import --environment ENV_ID --name NAME`: an ExecutionEnvironment manifest and the
 * docker context of the environment's latest version, adopted by the environment's trailer. The
 * trailer also names that version as the build of the context (environment versions cannot be
 * annotated, API.md §4), so the next plan builds nothing and models on it can `{ref}` the manifest.
 */

export interface PreparedEnvironment {
  environment: Environment;
  version: EnvironmentVersion;
  name: string;
  key: string;
  manifest: { path: string; content: string };
  folder: string;
  staged: Staged;
  /** The description the environment gets: its own text and the adopting trailer. */
  description: string;
  notes: string[];
}

async function fetchEnvironment(
  client: DataRobotClient,
  id: string,
  signal?: AbortSignal,
): Promise<Environment> {
  try {
    return await client.environments.get(id, signal);
  } catch (error) {
    if (isNotFound(error))
      throw new DrgitopsError(
        "environment-not-found",
        `no execution environment has id ${id} on this DataRobot; check the id`,
        { cause: error },
      );
    throw error;
  }
}

/** The version to adopt: the latest, or the latest successful one when the latest build failed. */
function versionToAdopt(env: Environment, notes: string[]): EnvironmentVersion {
  const latest = env.latestVersion;
  if (!latest)
    throw new ImportRefused(`environment ${env.id} has no version: there is no docker context to import`);
  if (latest.buildStatus !== "failed") return latest;
  const good = env.latestSuccessfulVersion;
  if (!good)
    throw new ImportRefused(
      `every build of environment ${env.id} failed; there is no working docker context to import`,
    );
  notes.push(
    `its latest version ${latest.id} failed to build; the docker context is that of ${good.id}, its latest successful one`,
  );
  return good;
}

export async function prepareEnvironment(
  p: ImportProject,
  client: DataRobotClient,
  id: string,
  name: string,
  options: { dryRun: boolean; signal?: AbortSignal | undefined },
): Promise<PreparedEnvironment> {
  const key = `${p.namespace}/${name}`;
  const manifestPath = join(p.dir, "manifests", `${name}.yaml`);
  refuseDuplicateName(p, EXECUTION_ENVIRONMENT, name, manifestPath);
  const env = await fetchEnvironment(client, id, options.signal);
  const parsed = parseDescription(env.description ?? "");
  if (parsed.trailer && parsed.trailer.key !== key)
    throw new ImportRefused(
      `environment ${env.id} is managed by drgitops as ${parsed.trailer.key}; it is imported only under that key`,
    );
  const notes: string[] = [];
  const version = versionToAdopt(env, notes);
  const folder = join(p.dir, "envs", name);
  const staged = await stageArchive(
    async (dest) => {
      try {
        await client.environmentVersions.download(env.id, version.id, dest, options.signal);
      } catch (error) {
        if (isNotFound(error))
          throw new ImportRefused(
            `version ${version.id} of environment ${env.id} has no docker context (it was made from an image); nothing to import`,
          );
        throw error;
      }
    },
    folder,
    `the docker context of version ${version.id} of environment ${env.id}`,
    options,
  );
  try {
    if (!staged.files.some((f) => f.path === "Dockerfile"))
      notes.push(
        "its docker context has no Dockerfile at the root; `drgitops validate` refuses the manifest until it has one",
      );
    const language = ProgrammingLanguageSchema.safeParse(env.programmingLanguage ?? "other");
    const useCases = UseCaseSchema.array().safeParse(env.useCases ?? ["customModel"]);
    if (!language.success || !useCases.success)
      throw new ImportRefused(
        `environment ${env.id} has a programming language or use case drgitops does not know (${env.programmingLanguage ?? "?"}; ${(env.useCases ?? []).join(", ")})`,
      );
    const fields = {
      name: env.name,
      description: parsed.body,
      programmingLanguage: language.data,
      useCases: useCases.data,
    };
    const spec: Record<string, unknown> = { displayName: fields.name };
    if (fields.description !== "") spec.description = fields.description;
    spec.programmingLanguage = fields.programmingLanguage;
    spec.useCases = fields.useCases;
    spec.dockerContext = `../envs/${name}`;
    const manifest = { apiVersion: "drgitops/v1", kind: EXECUTION_ENVIRONMENT, metadata: { name }, spec };
    checkManifest(ExecutionEnvironmentManifestSchema, manifest, `environment ${env.id}`);
    const files = await Promise.all(
      staged.files.map(async (f) => ({
        path: f.path,
        sha256: await hashFile(join(staged.folder, ...f.path.split("/"))),
      })),
    );
    const trailer: Trailer = {
      key,
      fingerprint: contextDigest(files),
      applied: environmentFieldsDigest(fields),
      adoptedVersion: version.id,
    };
    const content = yamlText(manifest, [
      `Imported by \`drgitops import --environment ${env.id}\` from the DataRobot execution environment`,
      `"${env.name}" (${env.id}); the docker context is that of version ${version.label ?? version.id} (${version.id}).`,
      "Adoption: the environment's description carries the drgitops trailer for this key, naming that",
      "version as the build of this context, so the next plan builds nothing; a change here builds one.",
      ...notes.map((n) => `Note: ${n}.`),
    ]);
    return {
      environment: env,
      version,
      name,
      key,
      manifest: { path: manifestPath, content },
      folder,
      staged,
      description: withTrailer(fields.description, trailer),
      notes,
    };
  } catch (error) {
    await staged.discard();
    throw error;
  }
}

/** Writes the trailer: the environment is drgitops' from now on (a built-in one refuses: 403). */
export async function adoptEnvironment(
  client: DataRobotClient,
  prepared: PreparedEnvironment,
  signal?: AbortSignal,
): Promise<void> {
  try {
    await client.environments.update(prepared.environment.id, { description: prepared.description }, signal);
  } catch (error) {
    if (error instanceof ApiError && error.status === 403)
      throw new ImportRefused(
        `environment ${prepared.environment.id} is built in (DataRobot's own) and cannot carry a trailer; models refer to it by {id} or {name}, no manifest needed`,
      );
    throw error;
  }
}
