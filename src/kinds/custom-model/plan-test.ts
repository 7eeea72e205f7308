import { actionId, type PendingId } from "../../reconcile/action.js";
import type { PlanContext } from "../../reconcile/plan-context.js";
import { stripTrailer, type Trailer } from "../../reconcile/trailer.js";
import type {
  AnnotateVersionAction,
  BuildDependenciesAction,
  CreateVersionAction,
  CustomModelAction,
  RunTestAction,
} from "./actions.js";
import type { DesiredModel } from "./desired.js";
import type { LiveModel, LiveVersion } from "./live.js";
import { CUSTOM_MODEL } from "./schema.js";
import { liveModels } from "./plan-version.js";

/** The test's datasets, resolved (and checked) with the rest of the model's references. */
export interface TestDatasets {
  dataset: PendingId | null;
  predictionDataset: PendingId | null;
}

export interface TestPlanInput {
  d: DesiredModel;
  live: LiveModel | undefined;
  model: PendingId;
  /** The createVersion of this plan, if any: a new version is always tested. */
  createdVersion: CreateVersionAction | null;
  /** After the dependency build, when there is one. */
  buildDependencies: BuildDependenciesAction | null;
  /** The annotateVersion of this plan, if any: a recorded test outcome joins its trailer. */
  annotate: AnnotateVersionAction | null;
  /** The live version's trailer as it will be after annotate (its fingerprint). */
  inSyncTrailer: Trailer | null;
  /** The version diff lacked live file digests (observe has not fetched them yet). */
  digestsMissing: boolean;
  /** null when the model has no test. */
  datasets: TestDatasets | null;
}

/**
 * The test gate (DESIGN.md §6). A new version is tested; an unchanged one is tested again only when
 * the test configuration changed. A recorded failure for the current configuration stays a failure
 * (the plan's gate) until the model or its test changes: re-running apply never turns it green.
 * Returns the actions to add (a runTest, or an annotateVersion recording a test found by listing).
 */
export function planTest(input: TestPlanInput, ctx: PlanContext): CustomModelAction[] {
  const { d, live, createdVersion } = input;
  const test = d.test;
  if (test === null) return [];
  const latestVersion = live?.latestVersion;
  // Without digests a new version is only presumed: the files may turn out equal, and then the
  // latest test decides the gate. So it is fetched whenever the trailer does not record it.
  if (
    live &&
    latestVersion &&
    (!createdVersion || input.digestsMissing) &&
    !(latestVersion.trailer?.key === d.key && latestVersion.trailer.test) &&
    liveModels(ctx).latestTests[d.key] === undefined
  )
    ctx.out.needs.push({
      kind: CUSTOM_MODEL,
      what: "latestTest",
      params: { modelKey: d.key, modelId: live.id },
    });
  if (createdVersion) {
    if (ctx.options.skipTests) return [];
    const after = input.buildDependencies ?? createdVersion;
    return [runTest(input, { fromAction: createdVersion.id }, [after.id], ["a new version is tested"])];
  }
  const latest = live?.latestVersion;
  if (!live || !latest) return [];
  const recorded = latest.trailer?.key === d.key ? latest.trailer.test : undefined;
  if (recorded) {
    // `ignoreChanges: [test]`: a new test configuration waits for the next new version.
    if (recorded.configDigest !== test.configDigest && !d.lifecycle.ignoreChanges.includes("test")) {
      return ctx.options.skipTests
        ? []
        : [
            runTest(input, { id: latest.id }, input.annotate ? [input.annotate.id] : [], [
              "the test configuration changed",
            ]),
          ];
    }
    if (recorded.outcome === "failed") gate(input, latest, null, "recorded in the version's trailer", ctx);
    return [];
  }
  const found = liveModels(ctx).latestTests[d.key];
  if (found && found.versionId === latest.id && found.overallStatus !== "in_progress" && !found.cancelled) {
    // Found by listing (e.g. a run killed before recording it): recorded now, so the next plan needs no call.
    const outcome = { outcome: found.overallStatus, configDigest: test.configDigest };
    if (found.overallStatus === "failed") {
      const checks = found.failedChecks.map((c) => `${c.check}: ${c.message}`).join("; ");
      gate(input, latest, found.id, checks || "see the test log", ctx);
    }
    if (input.annotate) {
      input.annotate.trailer = { ...input.annotate.trailer, test: outcome };
      input.annotate.reasons.push("record the latest test's outcome");
      return [];
    }
    const trailer = input.inSyncTrailer ?? { key: d.key };
    return [
      {
        type: "annotateVersion",
        id: actionId("annotateVersion", d.key),
        key: d.key,
        reasons: [`record the outcome of test ${found.id} (${found.overallStatus}) in the version's trailer`],
        changes: [{ kind: "value", path: "trailer.test", before: null, after: found.overallStatus }],
        dependsOn: [],
        expected: { id: live.id, latestVersionId: latest.id, updated: live.updated },
        modelId: live.id,
        versionId: latest.id,
        body: stripTrailer(latest.description),
        trailer: { ...trailer, test: outcome },
      },
    ];
  }
  if (ctx.options.skipTests) return [];
  const why =
    found === undefined
      ? "the version's trailer records no test outcome"
      : found?.overallStatus === "in_progress"
        ? "the latest test is still running"
        : found?.cancelled && found.versionId === latest.id
          ? "the latest test was cancelled"
          : "no test has run on the latest version";
  return [runTest(input, { id: latest.id }, input.annotate ? [input.annotate.id] : [], [why])];
}

function runTest(
  input: TestPlanInput,
  version: PendingId,
  after: string[],
  reasons: string[],
): RunTestAction {
  const test = input.d.test!;
  const { dataset, predictionDataset } = input.datasets ?? { dataset: null, predictionDataset: null };
  const dependsOn = [...after];
  for (const p of [dataset, predictionDataset]) if (p && "fromAction" in p) dependsOn.push(p.fromAction);
  const live = input.live;
  return {
    type: "runTest",
    id: actionId("runTest", input.d.key),
    key: input.d.key,
    reasons,
    changes: [{ kind: "value", path: "test.configuration", before: null, after: test.configuration }],
    dependsOn,
    expected: live
      ? { id: live.id, latestVersionId: live.latestVersion?.id ?? null, updated: live.updated }
      : null,
    model: input.model,
    version,
    dataset,
    configuration: test.configuration,
    parameters: test.parameters,
    predictionDataset,
    configDigest: test.configDigest,
  };
}

function gate(
  input: TestPlanInput,
  latest: LiveVersion,
  testId: string | null,
  detail: string,
  ctx: PlanContext,
): void {
  ctx.out.gate.push({
    key: input.d.key,
    modelId: input.live!.id,
    versionId: latest.id,
    versionLabel: latest.label,
    testId,
    outcome: "failed",
    message: `the latest test of version ${latest.label} failed for the current test configuration (${detail}); change the model or its test to run it again`,
  });
}
