import { join } from "node:path";
import type { CustomModel, DataRobotClient } from "../client/index.js";
import { DrgitopsError } from "../errors.js";
import { CUSTOM_MODEL } from "../kinds/custom-model/schema.js";
import { adoptEnvironment, prepareEnvironment, type PreparedEnvironment } from "./environment.js";
import { fetchModel, notImportable, prepareModel, readImportLive, type PreparedModel } from "./model.js";
import { sanitizedName, uniqueName } from "./names.js";
import type { ImportProject } from "./project.js";
import { refuseExisting, writeImport } from "./write.js";

/**
 * The import commands end to end, as data for the CLI to show: refuse existing targets before any
 * write, prepare everything (download and stage), then write, then adopt. A dry run stops after
 * preparing and discards what it staged: no file is written and DataRobot gets no write request.
 */

export interface ImportOptions {
  force: boolean;
  dryRun: boolean;
  signal?: AbortSignal | undefined;
}

export interface Adoption {
  modelId: string;
  key: string;
  /** The userProvidedId before (null: none); equal to `key` when it was already adopted. */
  before: string | null;
}

export interface ModelsImport {
  prepared: PreparedModel[];
  /** `--all`: the models left alone, and why. */
  skipped: { model: CustomModel; why: string }[];
  written: string[];
  adopted: Adoption[];
}

const targetsOf = (p: ImportProject, kind: "models" | "envs", name: string) => [
  { path: join(p.dir, "manifests", `${name}.yaml`) },
  { path: join(p.dir, kind, name), folder: true },
];

export async function importModels(
  p: ImportProject,
  client: DataRobotClient,
  request: { id: string; name: string } | { all: true },
  options: ImportOptions,
): Promise<ModelsImport> {
  const live = await readImportLive(client, options.signal);
  const chosen: { model: CustomModel; name: string }[] = [];
  const skipped: ModelsImport["skipped"] = [];
  if ("id" in request) {
    chosen.push({ model: await fetchModel(live, request.id), name: request.name });
  } else {
    const used = new Set(p.names.get(CUSTOM_MODEL)?.keys());
    for (const model of live.models) {
      const why = notImportable(model, p.namespace);
      if (why !== undefined) skipped.push({ model, why });
      else chosen.push({ model, name: uniqueName(sanitizedName(model.name), used) });
    }
  }
  await refuseExisting(
    chosen.flatMap((c) => targetsOf(p, "models", c.name)),
    options.force,
  );
  const prepared: PreparedModel[] = [];
  try {
    for (const c of chosen) prepared.push(await prepareModel(p, live, c.model, c.name, options));
  } catch (error) {
    await Promise.all(prepared.map((m) => m.staged.discard()));
    throw error;
  }
  if (options.dryRun) {
    await Promise.all(prepared.map((m) => m.staged.discard()));
    return { prepared, skipped, written: [], adopted: [] };
  }
  // Files first: a model adopted without its manifest would be pruned by the next `apply --prune`.
  const written = await writeImport(
    {
      files: prepared.map((m) => m.manifest),
      folders: prepared.map((m) => ({ path: m.folder, staged: m.staged.folder })),
    },
    { force: options.force },
  ).catch(async (error: unknown) => {
    // Folders already swapped in are gone from their staging place; discarding the rest is enough.
    await Promise.all(prepared.map((m) => m.staged.discard()));
    throw error;
  });
  const adopted: Adoption[] = [];
  for (const m of prepared) {
    if (m.userProvidedId !== m.key) {
      const after = await client.customModels.setUserProvidedId(m.model.id, m.key, options.signal);
      if (after.userProvidedId !== m.key)
        throw new DrgitopsError(
          "adoption-failed",
          `DataRobot did not take the userProvidedId ${m.key} for model ${m.model.id} (it answered ${after.userProvidedId ?? "none"}); the files are written, but plan will not find the model`,
        );
    }
    adopted.push({ modelId: m.model.id, key: m.key, before: m.userProvidedId });
  }
  return { prepared, skipped, written, adopted };
}

export interface EnvironmentImport {
  prepared: PreparedEnvironment;
  written: string[];
}

export async function importEnvironment(
  p: ImportProject,
  client: DataRobotClient,
  request: { id: string; name: string },
  options: ImportOptions,
): Promise<EnvironmentImport> {
  await refuseExisting(targetsOf(p, "envs", request.name), options.force);
  const prepared = await prepareEnvironment(p, client, request.id, request.name, options);
  if (options.dryRun) {
    await prepared.staged.discard();
    return { prepared, written: [] };
  }
  try {
    // The trailer first: a built-in environment refuses it (403) before any file is written, and an
    // environment adopted without a manifest is harmless (drgitops never deletes environments).
    await adoptEnvironment(client, prepared, options.signal);
  } catch (error) {
    await prepared.staged.discard();
    throw error;
  }
  const written = await writeImport(
    { files: [prepared.manifest], folders: [{ path: prepared.folder, staged: prepared.staged.folder }] },
    { force: options.force },
  ).catch(async (error: unknown) => {
    await prepared.staged.discard();
    throw error;
  });
  return { prepared, written };
}
