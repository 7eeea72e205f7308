import { readFileSync } from "node:fs";
import { z } from "zod";
import { UsageError } from "../errors.js";
import type { EmulatorContext } from "./context.js";
import { CredentialCreateSchema } from "./domain/credential-types.js";
import { parseYamlFile } from "./domain/yaml-file.js";
import { createCredential } from "./routes/credentials.js";
import { createEnvironment, insertEnvironmentVersion } from "./routes/environments.js";
import {
  BUILTIN_PREDICTION_ENVIRONMENT,
  seedPredictionEnvironment,
} from "./routes/prediction-environments.js";
import { findCredentialByName } from "./store/credentials.js";
import {
  findEnvironmentByName,
  latestEnvironmentVersion,
  updateEnvironmentVersionBuild,
} from "./store/environments.js";

/** The built-in environment every emulator has (API.md §4.1); its id is configurable. */
export const BUILTIN_ENVIRONMENT = {
  id: "5e8c889607389fe0f466c72d",
  versionId: "5e8c889607389fe0f466c72e",
  name: "[DataRobot] Python 3.11 Drop-In",
  description: "Python 3.11 drop-in environment with scikit-learn, pandas and numpy",
  programmingLanguage: "python",
  useCases: ["customModel"],
} as const;

const SeedEnvironment = z.strictObject({
  id: z
    .string()
    .regex(/^[0-9a-f]{24}$/, "must be 24 lowercase hex characters")
    .optional(),
  versionId: z
    .string()
    .regex(/^[0-9a-f]{24}$/, "must be 24 lowercase hex characters")
    .optional(),
  name: z.string().min(1).max(255),
  description: z.string().optional(),
  programmingLanguage: z.enum(["python", "r", "java", "julia", "legacy", "other"]).optional(),
  useCases: z.array(z.enum(["customModel", "notebook", "customApplication", "customJob"])).optional(),
});

/** `--seed FILE`: credentials and built-in environments created at start, idempotently by name. */
export const SeedFile = z.strictObject({
  credentials: z.array(CredentialCreateSchema).default([]),
  environments: z.array(SeedEnvironment).default([]),
});
export type SeedFile = z.infer<typeof SeedFile>;
export type SeedEnvironment = z.infer<typeof SeedEnvironment>;

/** Reads and validates a seed file; errors name the file, line and field. */
export function loadSeedFile(file: string): SeedFile {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (cause) {
    throw new UsageError(`Cannot read seed file ${file}: ${(cause as Error).message}`, { cause });
  }
  return parseYamlFile(SeedFile, text, file, "seed file");
}

/** Ids of the built-in execution and prediction environments (both configurable). */
export interface BuiltinIds {
  environmentId: string;
  predictionEnvironmentId: string;
}

export const DEFAULT_BUILTIN_IDS: BuiltinIds = {
  environmentId: BUILTIN_ENVIRONMENT.id,
  predictionEnvironmentId: BUILTIN_PREDICTION_ENVIRONMENT.id,
};

/** Creates what is missing (by name), in one transaction; a re-run changes nothing. */
export function applySeed(ctx: EmulatorContext, seed: SeedFile, ids: BuiltinIds = DEFAULT_BUILTIN_IDS): void {
  const builtinId = ids.environmentId;
  ctx.tx(() => {
    seedPredictionEnvironment(ctx, ids.predictionEnvironmentId);
    const builtin: SeedEnvironment = { ...BUILTIN_ENVIRONMENT, useCases: ["customModel"], id: builtinId };
    if (builtinId !== BUILTIN_ENVIRONMENT.id) delete builtin.versionId;
    const environments = seed.environments.some((e) => e.name === builtin.name)
      ? seed.environments
      : [builtin, ...seed.environments];
    for (const e of environments) seedEnvironment(ctx, e);
    for (const c of seed.credentials) {
      if (!findCredentialByName(ctx.db, c.name)) createCredential(ctx, c);
    }
  });
}

function seedEnvironment(ctx: EmulatorContext, e: SeedEnvironment): void {
  const existing = findEnvironmentByName(ctx.db, e.name);
  const env =
    existing ??
    createEnvironment(
      ctx,
      {
        name: e.name,
        description: e.description ?? "",
        programmingLanguage: e.programmingLanguage ?? "python",
        useCases: e.useCases ?? ["customModel"],
        isPublic: true,
      },
      { builtin: true, ...(e.id ? { id: e.id } : {}) },
    );
  if (latestEnvironmentVersion(ctx.db, env.id, true)) return;
  // Seeded environments are usable at once: one version, already built.
  const version = insertEnvironmentVersion(ctx, env.id, {
    label: "v1",
    description: "Seeded by the emulator",
    sourceDockerImageUri: `datarobot/${env.id}:v1`,
    ...(e.versionId ? { id: e.versionId } : {}),
  });
  updateEnvironmentVersionBuild(ctx.db, version.id, {
    buildStatus: "success",
    buildLog: `Seeded environment version ${version.label}: no build needed\n`,
    buildError: "",
  });
}
