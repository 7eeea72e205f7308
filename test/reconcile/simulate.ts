import type { ActionOf, Action } from "../../src/kinds/index.js";
import { versionSpecFingerprint } from "../../src/kinds/custom-model/fingerprint.js";
import type { LiveFile, LiveModel, LiveTest, LiveVersion } from "../../src/kinds/custom-model/live.js";
import type { TestOutcome } from "../../src/reconcile/action.js";
import type { Plan } from "../../src/reconcile/plan-file.js";
import type { BuildPlanOptions } from "../../src/reconcile/plan.js";
import type { DesiredState } from "../../src/reconcile/state.js";
import { parseDescription, withTrailer } from "../../src/reconcile/trailer.js";
import { servingDigest } from "../../src/kinds/deployment/plan.js";
import { liveSettings, type AllSettings } from "../../src/kinds/deployment/settings.js";
import type { LiveDeployment } from "../../src/kinds/deployment/live.js";
import type { LivePackage } from "../../src/kinds/registered-model/live.js";
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
  /** Deployment id -> its settings, as GET settings/ would return them (not in the listing). */
  settings: Record<string, AllSettings>;
  /** Versions whose feature impact was computed. */
  featureImpacts: Set<string>;
  /** Version id -> label, for what deployments show of their champion. */
  versionLabels: Record<string, string>;
  /** Writes made, by action type (what the emulator's stats would count). */
  writes: Record<string, number>;
}

export interface SimulateOptions {
  /** Values of environment variables named by sensitive runtime parameters. */
  env?: Record<string, string>;
  testOutcome?: (key: string) => TestOutcome;
  /** Called per action; return false to simulate a crash just before it (the rest does not run). */
  before?: (action: Action, index: number) => boolean;
  /** A replacement validation that fails for this deployment key, with the checks' message. */
  validation?: (key: string) => string | undefined;
}

export function newServer(live: World): Server {
  return {
    live: structuredClone(live),
    tests: {},
    counter: 0,
    settings: {},
    featureImpacts: new Set(),
    versionLabels: {},
    writes: {},
  };
}

/** GET settings/ of a deployment no one configured (API.md §13.8 defaults). */
const DEFAULT_SETTINGS: AllSettings = liveSettings({});

/**
 * What observe would produce for this desired state: version digests and tests only where the
 * planner asks for them, both asked from the bare listing (observe fetches them in parallel).
 */
export function observe(server: Server, desired: DesiredState, options: BuildPlanOptions = {}): World {
  const listed: World = {
    ...structuredClone(server.live),
    versionFiles: {},
    latestTests: {},
    deploymentSettings: {},
    servedModels: {},
    environmentVersions: {},
  };
  const observed = structuredClone(listed);
  for (const d of needsOf(desired, listed, "deploymentSettings", options))
    observed.deploymentSettings[d["deploymentId"]!] = structuredClone(server.settings[d["deploymentId"]!]!);
  for (const m of needsOf(desired, listed, "customModel")) {
    const found = server.live.models.find((x) => x.id === m["modelId"]);
    observed.servedModels[m["modelId"]!] = found
      ? {
          id: found.id,
          targetType: found.targetType,
          latestVersion: found.latestVersion
            ? { id: found.latestVersion.id, label: found.latestVersion.label }
            : null,
        }
      : null;
  }
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

  // Like the executor: a failed or gate-failed action skips what depends on it.
  const stopped = new Set<string>();
  const fail = (id: string): void => {
    stopped.add(id);
  };
  const versionIdOf = (ref: { id: string } | { fromAction: string }): string =>
    "id" in ref ? ref.id : (versions[ref.fromAction] ?? resolved.get(ref.fromAction)?.["versionId"] ?? "");
  const packageFor = (ref: ActionOf<"createDeployment">["package"]): LivePackage => {
    if ("id" in ref) return live.packages.find((p) => p.id === ref.id)!;
    if ("fromAction" in ref)
      return live.packages.find((p) => p.id === resolved.get(ref.fromAction)!["packageId"])!;
    const versionId = versionIdOf(ref.version);
    const existing = live.packages.find((p) => p.versionId === versionId);
    if (existing) return existing;
    const owner = live.models.find((m) => m.latestVersion?.id === versionId)!;
    const made: LivePackage = {
      id: next("pkg"),
      versionId,
      customModelId: owner.id,
      registeredModelId: null,
      registeredModelVersion: null,
      targetType: owner.targetType,
    };
    live.packages.push(made);
    owner.latestVersion!.isFrozen = true;
    return made;
  };
  const championOf = (p: LivePackage): LiveDeployment["champion"] => ({
    packageId: p.id,
    versionId: p.versionId,
    versionLabel: p.versionId ? (server.versionLabels[p.versionId] ?? null) : null,
    customModelId: p.customModelId,
    customModelName: live.models.find((m) => m.id === p.customModelId)?.name ?? null,
    registeredModelId: p.registeredModelId,
  });
  const countDeployments = (): void => {
    for (const m of live.models)
      m.deploymentsCount = live.deployments.filter((d) => d.champion.customModelId === m.id).length;
  };

  for (const [index, action] of plan.actions.entries()) {
    if (options.before && !options.before(action, index)) return false;
    if (action.dependsOn.some((d) => stopped.has(d))) {
      stopped.add(action.id);
      continue;
    }
    server.writes[action.type] = (server.writes[action.type] ?? 0) + 1;
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
        if (outcome === "failed") fail(action.id);
        break;
      }
      case "deleteModel":
        live.models = live.models.filter((m) => m.id !== action.modelId);
        break;
      case "featureImpact":
        server.featureImpacts.add(versionIdOf(action.version));
        break;
      case "registerVersion": {
        const versionId = versionIdOf(action.version);
        const m = modelById(action.model);
        if (action.ensureFeatureImpact) server.featureImpacts.add(versionId);
        let rm =
          "id" in action.registeredModel
            ? live.registeredModels.find((r) => r.id === (action.registeredModel as { id: string }).id)!
            : live.registeredModels.find((r) => r.name === (action.registeredModel as { name: string }).name);
        if (!rm) {
          rm = {
            id: next("rm"),
            name: (action.registeredModel as { name: string }).name,
            description: "",
            trailer: null,
            isGlobal: false,
            targetType: m.targetType,
            lastVersionNum: 0,
            modifiedAt: `t${server.counter}`,
          };
          live.registeredModels.push(rm);
        }
        let pkg = live.packages.find((p) => p.registeredModelId === rm.id && p.versionId === versionId);
        if (!pkg) {
          rm.lastVersionNum += 1;
          pkg = {
            id: next("pkg"),
            versionId,
            customModelId: m.id,
            registeredModelId: rm.id,
            registeredModelVersion: rm.lastVersionNum,
            targetType: m.targetType,
          };
          live.packages.push(pkg);
          if (m.latestVersion?.id === versionId) m.latestVersion.isFrozen = true;
        }
        if (action.patch && "name" in action.registeredModel) {
          Object.assign(rm, action.patch);
          rm.trailer = parseDescription(rm.description).trailer;
        }
        rm.modifiedAt = `t${++server.counter}`;
        resolved.set(action.id, { registeredModelId: rm.id, packageId: pkg.id });
        break;
      }
      case "updateRegisteredModel": {
        const rm = live.registeredModels.find((r) => r.id === action.registeredModelId)!;
        Object.assign(rm, action.patch);
        rm.trailer = parseDescription(rm.description).trailer;
        rm.modifiedAt = `t${++server.counter}`;
        break;
      }
      case "createDeployment": {
        const pkg = packageFor(action.package);
        const description = withTrailer(action.description, {
          ...action.trailer,
          fingerprint: servingDigest(pkg.id),
        });
        const id = next("dep");
        live.deployments.push({
          id,
          key: action.userProvidedId,
          label: action.label,
          description,
          trailer: parseDescription(description).trailer,
          importance: action.importance ?? "LOW",
          status: "active",
          champion: championOf(pkg),
          targetType: pkg.targetType,
          predictionEnvironmentId: action.predictionEnvironmentId ?? "pe-default",
        });
        server.settings[id] = mergeSettings(DEFAULT_SETTINGS, action.settings);
        resolved.set(action.id, { deploymentId: id, packageId: pkg.id });
        countDeployments();
        break;
      }
      case "replaceDeploymentModel": {
        const d = live.deployments.find((x) => x.id === action.deploymentId)!;
        const pkg = packageFor(action.package);
        if (options.validation?.(action.key) !== undefined || pkg.targetType !== d.targetType) {
          fail(action.id);
          break;
        }
        d.champion = championOf(pkg);
        const { body, trailer } = parseDescription(d.description);
        d.description = withTrailer(body, {
          ...(trailer ?? { key: action.key }),
          fingerprint: servingDigest(pkg.id),
        });
        d.trailer = parseDescription(d.description).trailer;
        countDeployments();
        break;
      }
      case "updateDeployment": {
        const d = live.deployments.find((x) => x.id === action.deploymentId)!;
        server.settings[d.id] = mergeSettings(server.settings[d.id]!, action.settings);
        if (action.patch.label !== undefined) d.label = action.patch.label;
        if (action.patch.importance !== undefined) d.importance = action.patch.importance;
        const kept = d.trailer?.key === action.key ? d.trailer.fingerprint : undefined;
        const fingerprint = action.trailer.fingerprint ?? kept;
        const { fingerprint: _f, ...rest } = action.trailer;
        d.description = withTrailer(action.description, { ...rest, ...(fingerprint ? { fingerprint } : {}) });
        d.trailer = parseDescription(d.description).trailer;
        break;
      }
      case "deleteDeployment":
        live.deployments = live.deployments.filter((d) => d.id !== action.deploymentId);
        countDeployments();
        break;
    }
  }
  return true;
}

/** PATCH settings/ sections onto stored settings, read back as GET would (API.md §13.8). */
function mergeSettings(
  current: AllSettings,
  patch: Readonly<Record<string, Readonly<Record<string, unknown>>>>,
): AllSettings {
  const wire: Record<string, Record<string, unknown>> = {
    predictionsDataCollection: { enabled: current.predictionsDataCollection },
    targetDrift: { enabled: current.targetDrift },
    featureDrift: { enabled: current.featureDrift },
    associationId: {
      columnNames: current.associationId.column === null ? [] : [current.associationId.column],
      requiredInPredictionRequests: current.associationId.required,
    },
  };
  for (const [section, fields] of Object.entries(patch)) wire[section] = { ...wire[section], ...fields };
  return liveSettings(wire);
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
  server.versionLabels[version.id] = version.label;
  if (action.enableTrainingDataForVersions) m.isTrainingDataForVersionsPermanentlyEnabled = true;
  m.latestVersion = version;
  m.updated = `t${++server.counter}`;
  return version.id;
}
