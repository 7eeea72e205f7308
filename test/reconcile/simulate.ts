import type { ActionOf, Action } from "../../src/kinds/index.js";
import { versionSpecFingerprint } from "../../src/kinds/custom-model/fingerprint.js";
import type { LiveFile, LiveModel, LiveTest, LiveVersion } from "../../src/kinds/custom-model/live.js";
import type { TestOutcome } from "../../src/reconcile/action.js";
import type { Plan } from "../../src/reconcile/plan-file.js";
import type { DesiredState } from "../../src/reconcile/state.js";
import { parseDescription, withTrailer } from "../../src/reconcile/trailer.js";
import { needsOf, type World } from "./builders.js";

/** Ids produced by the simulated actions, keyed by action id (what apply's executor records). */
type ResolvedIds = Map<string, Record<string, string>>;

/**
 * A small pure stand-in for apply + DataRobot, following API.md's rules (PATCH from previous inherits
 * items and settings, overwrite by path, new ids). It keeps every version's file digests and every
 * model's latest test, like the server does; `observe` then hands the planner only what observe would.
 */
export interface Server {
  live: World;
  /** Model key -> latest test, as listing tests would return it. */
  tests: Record<string, LiveTest>;
  counter: number;
}

export interface SimulateOptions {
  /** Values of environment variables named by sensitive runtime parameters. */
  env?: Record<string, string>;
  testOutcome?: (key: string) => TestOutcome;
  /** Called per action; return false to simulate a crash just before it (the rest does not run). */
  before?: (action: Action, index: number) => boolean;
}

export function newServer(live: World): Server {
  return { live: structuredClone(live), tests: {}, counter: 0 };
}

/**
 * What observe would produce for this desired state: version digests and tests only where the
 * planner asks for them, both asked from the bare listing (observe fetches them in parallel).
 */
export function observe(server: Server, desired: DesiredState): World {
  const listed: World = {
    ...structuredClone(server.live),
    versionFiles: {},
    latestTests: {},
    environmentVersions: {},
  };
  const observed = structuredClone(listed);
  for (const v of needsOf(desired, listed, "fileDigests")) {
    const files = server.live.versionFiles[v["versionId"]!];
    if (files) observed.versionFiles[v["versionId"]!] = structuredClone(files);
  }
  for (const e of needsOf(desired, listed, "versions"))
    observed.environmentVersions[e["environmentId"]!] = structuredClone(
      server.live.environmentVersions[e["environmentId"]!] ?? [],
    );
  for (const m of needsOf(desired, listed, "latestTest"))
    observed.latestTests[m["modelKey"]!] = server.tests[m["modelKey"]!] ?? null;
  return observed;
}

/** Runs a plan's actions in order against the server. Returns false when a `before` hook stopped it. */
export function simulate(server: Server, plan: Plan, options: SimulateOptions = {}): boolean {
  const resolved: ResolvedIds = new Map();
  const models: Record<string, string> = {};
  const versions: Record<string, string> = {};
  const next = (prefix: string): string => `${prefix}-${++server.counter}`;
  const live = server.live;
  const modelById = (ref: { id: string } | { fromAction: string }): LiveModel => {
    const id = "id" in ref ? ref.id : models[ref.fromAction];
    const found = live.models.find((m) => m.id === id);
    if (!found) throw new Error(`simulate: no model for ${JSON.stringify(ref)}`);
    return found;
  };
  const touch = (m: LiveModel): void => {
    m.updated = `t${++server.counter}`;
  };

  for (const [index, action] of plan.actions.entries()) {
    if (options.before && !options.before(action, index)) return false;
    switch (action.type) {
      case "uploadDataset": {
        const id = next("ds");
        live.datasets.push({
          id,
          versionId: `${id}-v`,
          name: action.catalogName,
          processingState: "COMPLETED",
        });
        resolved.set(action.id, { datasetId: id });
        break;
      }
      case "createEnvironment": {
        const id = next("env");
        const { trailer } = parseDescription(action.body.description);
        live.environments.push({
          id,
          key: trailer?.key ?? null,
          name: action.body.name,
          description: action.body.description,
          trailer,
          programmingLanguage: action.body.programmingLanguage,
          useCases: action.body.useCases,
          latestVersion: null,
          latestSuccessfulVersion: null,
        });
        resolved.set(action.id, { environmentId: id });
        break;
      }
      case "updateEnvironment": {
        const env = live.environments.find((e) => e.id === action.environmentId)!;
        Object.assign(env, action.patch);
        env.trailer = parseDescription(env.description).trailer;
        break;
      }
      case "buildEnvironmentVersion": {
        const envId =
          "id" in action.environment
            ? action.environment.id
            : resolved.get(action.environment.fromAction)!["environmentId"]!;
        const env = live.environments.find((e) => e.id === envId)!;
        const version = {
          id: next("envv"),
          label: "v",
          description: action.description,
          trailer: parseDescription(action.description).trailer,
          buildStatus: "success",
        };
        env.latestVersion = version;
        env.latestSuccessfulVersion = version;
        live.environmentVersions[env.id] = [version, ...(live.environmentVersions[env.id] ?? [])];
        resolved.set(action.id, { environmentId: env.id, environmentVersionId: version.id });
        break;
      }
      case "createModel": {
        const id = next("model");
        const body = action.body;
        live.models.push({
          id,
          key: body.userProvidedId,
          description: body.description,
          trailer: parseDescription(body.description).trailer,
          targetType: body.targetType,
          name: body.name,
          targetName: body.targetName ?? null,
          positiveClassLabel: body.positiveClassLabel ?? null,
          negativeClassLabel: body.negativeClassLabel ?? null,
          predictionThreshold: body.predictionThreshold ?? 0.5,
          classLabels: body.classLabels ?? null,
          language: body.language ?? "",
          tags: body.tags ?? {},
          updated: `t${++server.counter}`,
          deploymentsCount: 0,
          isTrainingDataForVersionsPermanentlyEnabled:
            body.isTrainingDataForVersionsPermanentlyEnabled ?? false,
          latestVersion: null,
        });
        models[action.id] = id;
        break;
      }
      case "updateModel": {
        const m = modelById({ id: action.modelId });
        Object.assign(m, action.patch);
        m.trailer = parseDescription(m.description).trailer;
        touch(m);
        break;
      }
      case "createVersion":
        versions[action.id] = createVersion(server, action, modelById(action.model), resolved, options, next);
        break;
      case "annotateVersion": {
        const v = modelById({ id: action.modelId }).latestVersion!;
        v.description = withTrailer(action.body, action.trailer);
        v.trailer = parseDescription(v.description).trailer;
        break;
      }
      case "buildDependencies":
        break;
      case "runTest": {
        const m = modelById(action.model);
        const v = m.latestVersion!;
        const versionId = "id" in action.version ? action.version.id : versions[action.version.fromAction];
        if (v.id !== versionId) throw new Error("simulate: test of a version that is not the latest");
        const outcome = options.testOutcome?.(action.key) ?? "succeeded";
        server.tests[action.key] = {
          id: next("test"),
          versionId: v.id,
          overallStatus: outcome,
          failedChecks: outcome === "failed" ? [{ check: "errorCheck", message: "scripted failure" }] : [],
        };
        v.isFrozen = true;
        const trailer = {
          ...(v.trailer ?? { key: action.key }),
          test: { outcome, configDigest: action.configDigest },
        };
        v.description = withTrailer(parseDescription(v.description).body, trailer);
        v.trailer = parseDescription(v.description).trailer;
        break;
      }
      case "deleteModel":
        live.models = live.models.filter((m) => m.id !== action.modelId);
        break;
    }
  }
  return true;
}

function createVersion(
  server: Server,
  action: ActionOf<"createVersion">,
  m: LiveModel,
  resolved: ResolvedIds,
  options: SimulateOptions,
  next: (prefix: string) => string,
): string {
  const prev = action.mode === "fromPrevious" ? m.latestVersion : null;
  const spec = action.version;
  const deleted = new Set(action.deletions.map((d) => d.itemId));
  const items = (prev?.items ?? []).filter((i) => !deleted.has(i.id));
  const deletedPaths = new Set(action.deletions.map((d) => d.path));
  const files = new Map<string, LiveFile>(
    (prev ? (server.live.versionFiles[prev.id] ?? []) : [])
      .filter((f) => !deletedPaths.has(f.path))
      .map((f) => [f.path, f]),
  );
  for (const u of action.uploads) {
    const existing = items.findIndex((i) => i.filePath === u.path);
    const item = { id: next("item"), filePath: u.path };
    if (existing >= 0) items[existing] = item;
    else items.push(item);
    files.set(u.path, { path: u.path, sha256: u.sha256, size: u.size });
  }
  const env =
    spec.environment === null
      ? { id: prev?.baseEnvironmentId ?? null, versionId: prev?.baseEnvironmentVersionId ?? null }
      : "fromAction" in spec.environment
        ? {
            id: resolved.get(spec.environment.fromAction)!["environmentId"]!,
            versionId: resolved.get(spec.environment.fromAction)!["environmentVersionId"]!,
          }
        : spec.environment;
  const params = new Map((prev?.runtimeParameters ?? []).map((p) => [p.fieldName, { ...p }]));
  for (const p of spec.runtimeParameterValues ?? []) {
    if (p.source === "default") {
      // null removes the override (API.md §2.7); the simulator knows no defaults.
      params.set(p.fieldName, {
        fieldName: p.fieldName,
        type: p.type,
        overrideValue: null,
        currentValue: null,
      });
      continue;
    }
    const value = p.source === "sensitive" ? options.env?.[p.envVar] : p.value;
    if (value === undefined) throw new Error(`simulate: the value of ${p.fieldName} is unset`);
    params.set(p.fieldName, {
      fieldName: p.fieldName,
      type: p.type,
      overrideValue: value,
      currentValue: value,
    });
  }
  const datasetId = (ref: { id: string } | { fromAction: string }): string =>
    "id" in ref ? ref.id : resolved.get(ref.fromAction)!["datasetId"]!;
  const r = spec.resources;
  const version: LiveVersion = {
    id: next("ver"),
    label: `v${server.counter}`,
    description: "",
    trailer: null,
    isFrozen: false,
    items,
    baseEnvironmentId: env.id,
    baseEnvironmentVersionId: env.versionId,
    maximumMemory: r?.maximumMemory ?? prev?.maximumMemory ?? null,
    replicas: r?.replicas ?? prev?.replicas ?? null,
    networkEgressPolicy: r?.networkEgressPolicy ?? prev?.networkEgressPolicy ?? null,
    resourceBundleId: r?.resourceBundleId ?? prev?.resourceBundleId ?? null,
    runtimeParameters: [...params.values()],
    trainingData: spec.trainingData
      ? { datasetId: datasetId(spec.trainingData.dataset) }
      : (prev?.trainingData ?? null),
    holdoutData:
      spec.trainingData || spec.holdoutData
        ? {
            datasetId: spec.holdoutData ? datasetId(spec.holdoutData.dataset) : null,
            partitionColumn: spec.trainingData?.partitionColumn ?? null,
          }
        : (prev?.holdoutData ?? null),
  };
  const fingerprint = action.fingerprint ?? versionSpecFingerprint(spec, resolved);
  if (fingerprint === null) throw new Error("simulate: fingerprint still unknown after resolving ids");
  version.description = withTrailer("", { key: action.key, fingerprint, commit: "abc1234" });
  version.trailer = parseDescription(version.description).trailer;
  server.live.versionFiles[version.id] = [...files.values()];
  if (action.enableTrainingDataForVersions) m.isTrainingDataForVersionsPermanentlyEnabled = true;
  m.latestVersion = version;
  m.updated = `t${++server.counter}`;
  return version.id;
}
