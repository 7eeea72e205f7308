import {
  ApiError,
  collect,
  isNameTaken,
  isNotFound,
  type DataRobotClient,
  type ModelPackage,
  type RegisteredModel,
} from "../../client/index.js";
import { handlerFor, type KindIo, type ObserveArgs, type Outcome } from "../../reconcile/io.js";
import { parseDescription } from "../../reconcile/trailer.js";
import { ensureFeatureImpact } from "../custom-model/apply-feature-impact.js";
import { liveRegisteredModel, livePackage, type LiveRegisteredModels } from "./live.js";
import type { RegisterVersionAction, UpdateRegisteredModelAction } from "./plan.js";

/** API.md §0.5 maximum: the fewer pages, the fewer requests a no-change plan costs. */
const PAGE = 1000;

/** Two listings, in parallel: registered models and every package (= registered version). */
async function observe({ client, signal }: ObserveArgs): Promise<LiveRegisteredModels> {
  const [registered, packages] = await Promise.all([
    collect(client.registeredModels.listAll({ limit: PAGE }, signal)),
    collect(client.modelPackages.listAll({ limit: PAGE }, signal)),
  ]);
  return { registeredModels: registered.map(liveRegisteredModel), packages: packages.map(livePackage) };
}

/** The registered model a by-name registration joins: ours (our key, or no trailer: a crash before it) or refused. */
async function existingByName(
  client: DataRobotClient,
  action: RegisterVersionAction,
  name: string,
  signal: AbortSignal,
): Promise<RegisteredModel | "taken" | undefined> {
  const found = await client.registeredModels.findByName(name, signal);
  if (!found) return undefined;
  const key = parseDescription(found.description ?? "").trailer?.key;
  return key === undefined || key === action.key ? found : "taken";
}

/**
 * One registered version per custom model version, never two: an existing version of this
 * registered model that packages the version (a re-run after a crash) is reused. A registered
 * model created by this call gets its trailer (and isGlobal) right after, so the next plan finds it
 * by key; until then it is found again by name.
 */
const registerVersion = handlerFor<RegisterVersionAction>(
  "registerVersion",
  async ({ action, context, signal, progress, resolve }): Promise<Outcome> => {
    const { client } = context;
    const modelId = resolve(action.model, "modelId");
    const versionId = resolve(action.version, "versionId");
    const wait = { signal, timeoutMs: context.waitTimeoutMs, onProgress: () => progress("package building") };
    if (action.ensureFeatureImpact) {
      const impact = await ensureFeatureImpact(client, modelId, versionId, {
        signal,
        timeoutMs: context.waitTimeoutMs,
        progress,
      });
      if (impact.status !== "succeeded") return impact;
    }
    let registeredModelId = "id" in action.registeredModel ? action.registeredModel.id : undefined;
    const name = "name" in action.registeredModel ? action.registeredModel.name : undefined;
    if (name !== undefined) {
      const existing = await existingByName(client, action, name, signal);
      if (existing === "taken")
        return {
          status: "failed",
          message: `the registered model name "${name}" was taken by another registered model since the plan was made`,
        };
      registeredModelId = existing?.id;
    }
    let pkg: ModelPackage | undefined;
    if (registeredModelId !== undefined) {
      for await (const p of client.registeredModels.listVersionsAll(registeredModelId, signal))
        if (p.modelId === versionId) {
          pkg = p;
          break;
        }
    }
    const reused = pkg !== undefined;
    try {
      pkg ??= await client.modelPackages.create(
        {
          customModelVersionId: versionId,
          ...(registeredModelId !== undefined ? { registeredModelId } : { registeredModelName: name! }),
          ...(action.tags.length > 0 ? { tags: action.tags } : {}),
        },
        wait,
      );
    } catch (error) {
      if (isNameTaken(error))
        return {
          status: "failed",
          message: `the registered model name "${name}" is already in use on DataRobot; choose another displayName`,
        };
      if (error instanceof ApiError && error.status === 422)
        return {
          status: "failed",
          message: `registering version ${versionId} was refused: ${error.message}`,
        };
      throw error;
    }
    registeredModelId = pkg.registeredModelId ?? registeredModelId;
    if (registeredModelId === undefined)
      return { status: "failed", message: `package ${pkg.id} joined no registered model` };
    // Created just now, or found by name without its trailer (a run stopped right after creating it).
    if (action.patch && name !== undefined)
      await client.registeredModels.update(registeredModelId, action.patch, signal);
    return {
      status: "succeeded",
      message: `${reused ? "already registered as" : "registered"} version ${pkg.registeredModelVersion ?? "?"} (package ${pkg.id})`,
      produced: { registeredModelId, packageId: pkg.id },
    };
  },
);

const updateRegisteredModel = handlerFor<UpdateRegisteredModelAction>(
  "updateRegisteredModel",
  async ({ action, context, signal }) => {
    try {
      await context.client.registeredModels.update(action.registeredModelId, action.patch, signal);
    } catch (error) {
      if (isNameTaken(error))
        return {
          status: "failed",
          message: `the registered model name "${action.patch.name}" is already in use on DataRobot`,
        };
      throw error;
    }
    return {
      status: "succeeded",
      message: `updated ${Object.keys(action.patch).join(", ")}`,
      produced: { registeredModelId: action.registeredModelId },
    };
  },
);

export const registeredModelIo: KindIo<LiveRegisteredModels> = {
  observe,
  handlers: { registerVersion, updateRegisteredModel },
  async current({ id }, { client, signal }) {
    try {
      const r = await client.registeredModels.get(id, signal);
      return { latestVersionId: null, updated: r.modifiedAt ?? null, gone: false };
    } catch (error) {
      if (isNotFound(error)) return { latestVersionId: null, updated: null, gone: true };
      throw error;
    }
  },
};
