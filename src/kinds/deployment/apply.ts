import { ApiError, collect, isNotFound, type DataRobotClient, type Deployment } from "../../client/index.js";
import type { Need } from "../../reconcile/plan-context.js";
import {
  handlerFor,
  type FulfilArgs,
  type Fulfilled,
  type HandlerArgs,
  type KindIo,
  type ObserveArgs,
  type Outcome,
} from "../../reconcile/io.js";
import { parseDescription, withTrailer, type Trailer } from "../../reconcile/trailer.js";
import { mapLimit } from "../../spec/map-limit.js";
import type {
  CreateDeploymentAction,
  DeleteDeploymentAction,
  PackageRef,
  ReplaceDeploymentModelAction,
  UpdateDeploymentAction,
} from "./actions.js";
import { liveDeploymentsFrom, liveSettings, type LiveDeployments, type LiveServedModel } from "./live.js";
import { servingDigest } from "./plan.js";

/** API.md §0.5 maximum: the fewer pages, the fewer requests a no-change plan costs. */
const PAGE = 1000;

/** One listing of deployments (the champion and fields are in it) and one of prediction environments. */
async function observe({ client, namespace, signal }: ObserveArgs): Promise<LiveDeployments> {
  const [deployments, environments] = await Promise.all([
    collect(client.deployments.listAll({ limit: PAGE }, signal)),
    collect(client.predictionEnvironments.listAll({ limit: PAGE }, signal)),
  ]);
  return liveDeploymentsFrom(namespace, deployments, environments);
}

/**
 * What the listings lack and a plan asked for: the settings of a deployment whose trailer does not
 * vouch for them (or of every managed deployment when drift is looked for), one GET each; a
 * custom model named by id.
 */
async function fulfil(
  needs: readonly Need[],
  live: LiveDeployments,
  args: FulfilArgs,
): Promise<Fulfilled<LiveDeployments>> {
  const settings: LiveDeployments["settings"] = {};
  const models: Record<string, LiveServedModel | null> = {};
  const counts: Record<string, number> = { settingsFetched: 0 };
  await mapLimit(needs, args.parallelism, async ({ what, params }) => {
    if (what === "deploymentSettings") {
      const id = params["deploymentId"] ?? "";
      settings[id] = liveSettings(await args.client.deployments.getSettings(id, args.signal));
      counts["settingsFetched"] = (counts["settingsFetched"] ?? 0) + 1;
    } else if (what === "customModel") {
      const id = params["modelId"] ?? "";
      try {
        const m = await args.client.customModels.get(id, args.signal);
        const v = m.latestVersion;
        models[id] = {
          id: m.id,
          targetType: m.targetType,
          latestVersion: v ? { id: v.id, label: v.label ?? `${v.versionMajor}.${v.versionMinor}` } : null,
        };
      } catch (error) {
        if (!isNotFound(error)) throw error;
        models[id] = null;
      }
    }
  });
  return {
    live: { ...live, settings: { ...live.settings, ...settings }, models: { ...live.models, ...models } },
    counts,
  };
}

/**
 * The package id to serve: known, made by a registerVersion of this run, or any package of a
 * custom model version (one made now, unregistered, when it has none: API.md §13.14, as PY does).
 */
async function packageOf(ref: PackageRef, args: HandlerArgs, client: DataRobotClient): Promise<string> {
  if ("id" in ref) return ref.id;
  if ("fromAction" in ref) return args.resolve(ref, "packageId");
  const versionId = args.resolve(ref.version, "versionId");
  const existing = (await client.modelPackages.listPage({ modelId: versionId, limit: 1 }, args.signal))
    .data[0];
  if (existing) return existing.id;
  args.progress(`packaging version ${versionId}`);
  const made = await client.modelPackages.create(
    { customModelVersionId: versionId },
    { signal: args.signal, timeoutMs: args.context.waitTimeoutMs },
  );
  return made.id;
}

/** A job that ended in ERROR, or a 4xx: the action failed (with DataRobot's reason); anything else is I/O. */
function failure(error: unknown, what: string): Outcome {
  if (
    error instanceof ApiError &&
    (error.code === "job-failed" || ((error.status ?? 0) >= 400 && (error.status ?? 0) < 500))
  )
    return { status: "failed", message: `${what} failed: ${error.apiMessage ?? error.message}` };
  throw error;
}

/** Rewrites the description's trailer with what it serves now (the rest of the trailer kept). */
async function recordServing(
  client: DataRobotClient,
  d: Deployment,
  packageId: string,
  key: string,
  signal: AbortSignal,
) {
  const { body, trailer } = parseDescription(d.description ?? "");
  const next: Trailer = { ...(trailer ?? { key }), fingerprint: servingDigest(packageId) };
  await client.deployments.update(d.id, { description: withTrailer(body, next) }, signal);
}

/**
 * POST fromModelPackage/ with userProvidedId = key (a repeat after a crash finds the one made
 * before), then the declared settings, then the trailer's applied digest: written last, so a run
 * stopped in between leaves a deployment whose settings the next plan reads and completes.
 */
const createDeployment = handlerFor<CreateDeploymentAction>("createDeployment", async (args) => {
  const { action, context, signal, progress } = args;
  const { client } = context;
  const packageId = await packageOf(action.package, args, client);
  const { applied: _applied, ...pending } = action.trailer;
  const serving = { ...pending, fingerprint: servingDigest(packageId) };
  const wait = { signal, timeoutMs: context.waitTimeoutMs, onProgress: () => progress("launching") };
  let created;
  try {
    created = await client.deployments.create(
      {
        modelPackageId: packageId,
        label: action.label,
        description: withTrailer(action.description, serving),
        ...(action.importance !== null ? { importance: action.importance } : {}),
        ...(action.predictionEnvironmentId !== null
          ? { predictionEnvironmentId: action.predictionEnvironmentId }
          : {}),
        userProvidedId: action.userProvidedId,
      },
      wait,
    );
  } catch (error) {
    return failure(error, `deployment of package ${packageId}`);
  }
  const id = created.deployment.id;
  if (Object.keys(action.settings).length > 0) {
    progress("settings");
    try {
      await client.deployments.updateSettings(id, action.settings, wait);
    } catch (error) {
      return failure(error, `settings of deployment ${id}`);
    }
  }
  await client.deployments.update(
    id,
    {
      description: withTrailer(action.description, { ...action.trailer, fingerprint: serving.fingerprint }),
    },
    signal,
  );
  return {
    status: "succeeded",
    message: `${created.existed ? "already existed as" : "deployment"} ${id}, serving package ${packageId}`,
    produced: { deploymentId: id, packageId },
  };
});

/** `failing` checks, one clause each: `targetName: ...; classLabels: ...`. */
function failedChecks(
  checks: Record<string, { status: string; message?: string | null | undefined }> | null | undefined,
): string {
  return Object.entries(checks ?? {})
    .filter(([, c]) => c.status !== "passing")
    .map(([name, c]) => `${name}${c.status === "failing" ? "" : ` (${c.status})`}: ${c.message ?? c.status}`)
    .join("; ");
}

/**
 * Validation first: `failing` is this action's failure, naming the checks (the deployment keeps its
 * champion); `warning` is reported and the replacement proceeds. Then PATCH model/ with the reason,
 * waited for until the deployment serves the package, and the trailer records it.
 */
const replaceDeploymentModel = handlerFor<ReplaceDeploymentModelAction>(
  "replaceDeploymentModel",
  async (args) => {
    const { action, context, signal, progress } = args;
    const { client } = context;
    const packageId = await packageOf(action.package, args, client);
    const id = action.deploymentId;
    const before = await client.deployments.get(id, signal);
    if (before.modelPackage?.id === packageId) {
      await recordServing(client, before, packageId, action.key, signal);
      return { status: "succeeded", message: `already serves package ${packageId}` };
    }
    const validation = await client.deployments.validateReplacement(
      id,
      { modelPackageId: packageId },
      signal,
    );
    const checks = failedChecks(validation.checks);
    if (validation.status === "failing")
      return {
        status: "failed",
        message: `validation of package ${packageId} for deployment ${id} failed: ${checks || validation.message || "no reason given"}; the deployment keeps its champion`,
      };
    const warning =
      validation.status === "warning" ? `validation warning: ${checks || validation.message || ""}` : "";
    if (warning) progress(warning);
    progress(`replacing (${action.reason})`);
    let after: Deployment;
    try {
      after = await client.deployments.replaceModel(id, { modelPackageId: packageId }, action.reason, {
        signal,
        timeoutMs: context.waitTimeoutMs,
        onProgress: (p) => progress(`replacement ${p.state}`),
      });
    } catch (error) {
      return failure(error, `replacement of deployment ${id}'s model`);
    }
    await recordServing(client, after, packageId, action.key, signal);
    return {
      status: "succeeded",
      message: `serves package ${packageId}${warning ? ` (${warning})` : ""}`,
      produced: { deploymentId: id, packageId },
    };
  },
);

/** Settings first, then the fields and the description with its trailer (the applied digest last). */
const updateDeployment = handlerFor<UpdateDeploymentAction>(
  "updateDeployment",
  async ({ action, context, signal }) => {
    const { client } = context;
    const id = action.deploymentId;
    if (Object.keys(action.settings).length > 0) {
      try {
        await client.deployments.updateSettings(id, action.settings, {
          signal,
          timeoutMs: context.waitTimeoutMs,
        });
      } catch (error) {
        return failure(error, `settings of deployment ${id}`);
      }
    }
    const current = parseDescription((await client.deployments.get(id, signal)).description ?? "").trailer;
    // What it serves is the replacement's to record; keep the current record unless the plan says otherwise.
    const fingerprint =
      action.trailer.fingerprint ?? (current?.key === action.key ? current.fingerprint : undefined);
    const { fingerprint: _f, ...rest } = action.trailer;
    const trailer: Trailer = { ...rest, ...(fingerprint !== undefined ? { fingerprint } : {}) };
    try {
      await client.deployments.update(
        id,
        { ...action.patch, description: withTrailer(action.description, trailer) },
        signal,
      );
    } catch (error) {
      return failure(error, `update of deployment ${id}`);
    }
    return { status: "succeeded", message: `updated deployment ${id}`, produced: { deploymentId: id } };
  },
);

/** Re-checks protection right before deleting: the plan may be old. A deployment already gone is fine. */
const deleteDeployment = handlerFor<DeleteDeploymentAction>(
  "deleteDeployment",
  async ({ action, context, signal }) => {
    const { client } = context;
    let d: Deployment;
    try {
      d = await client.deployments.get(action.deploymentId, signal);
    } catch (error) {
      if (isNotFound(error))
        return { status: "succeeded", message: `${action.deploymentId} was already deleted` };
      throw error;
    }
    if (parseDescription(d.description ?? "").trailer?.protected)
      return {
        status: "failed",
        message: `deployment ${action.deploymentId} is protected (Drgitops-Protected: true); not deleted`,
      };
    await client.deployments.delete(action.deploymentId, signal);
    return { status: "succeeded", message: `deleted ${action.deploymentId}` };
  },
);

export const deploymentIo: KindIo<LiveDeployments> = {
  observe,
  fulfil,
  handlers: { createDeployment, replaceDeploymentModel, updateDeployment, deleteDeployment },
  async current({ id }, { client, signal }) {
    try {
      const d = await client.deployments.get(id, signal);
      return { latestVersionId: d.modelPackage?.id ?? null, updated: null, gone: false };
    } catch (error) {
      if (isNotFound(error)) return { latestVersionId: null, updated: null, gone: true };
      throw error;
    }
  },
};
