import { ApiError, type CustomModelTest } from "../../client/index.js";
import { TestOutcomeSchema, type TestOutcome } from "../../reconcile/action.js";
import { handlerFor } from "../../reconcile/io.js";
import { parseDescription, withTrailer } from "../../reconcile/trailer.js";
import type { BuildDependenciesAction, RunTestAction } from "./actions.js";

/** `errorCheck: no entry point; sideEffects: ...` for the checks that did not succeed. */
export function failedChecks(test: CustomModelTest): string {
  return Object.entries(test.testingStatus)
    .filter(([, s]) => s.status === "failed" || s.status === "warning")
    .map(([check, s]) => `${check} ${s.status}${s.message ? `: ${s.message}` : ""}`)
    .join("; ");
}

/**
 * Runs the version's test, waits for it, then records `Drgitops-Test: <outcome> <config digest>` in
 * the version trailer, so the next plan knows the gate without fetching tests. A failed test is a
 * gate that did not pass (exit 7), and the recorded outcome keeps it failing until something changes.
 */
export const runTest = handlerFor<RunTestAction>(
  "runTest",
  async ({ action, context, signal, progress, resolve }) => {
    const { client } = context;
    const modelId = resolve(action.model, "modelId");
    const versionId = resolve(action.version, "versionId");
    const parameters: Record<string, Record<string, unknown>> = { ...action.parameters };
    if (action.predictionDataset) {
      parameters["predictionVerificationCheck"] = {
        ...parameters["predictionVerificationCheck"],
        datasetId: resolve(action.predictionDataset, "datasetId"),
      };
    }
    const test = await client.tests.create(
      {
        customModelId: modelId,
        customModelVersionId: versionId,
        ...(action.dataset ? { datasetId: resolve(action.dataset, "datasetId") } : {}),
        configuration: action.configuration,
        parameters,
      },
      { signal, timeoutMs: context.waitTimeoutMs, onProgress: (p) => progress(`test ${p.state}`) },
    );
    const parsedOutcome = TestOutcomeSchema.safeParse(test.overallStatus);
    if (!parsedOutcome.success)
      return {
        status: "failed",
        message: `test ${test.id} ended with unexpected status ${test.overallStatus}`,
      };
    const outcome: TestOutcome = parsedOutcome.data;
    const version = await client.versions.get(modelId, versionId, signal);
    const { body, trailer } = parseDescription(version.description ?? "");
    const next = {
      ...(trailer ?? { key: action.key }),
      test: { outcome, configDigest: action.configDigest },
    };
    await client.versions.update(modelId, versionId, { description: withTrailer(body, next) }, signal);
    const details = failedChecks(test);
    if (outcome === "failed")
      return { status: "gate-failed", message: `test ${test.id} failed: ${details || "see the test log"}` };
    return { status: "succeeded", message: `test ${outcome}${details ? ` (${details})` : ""}` };
  },
);

/** Lines of a build log that say why it failed, so the error is readable without fetching the log. */
function failureLines(log: string): string {
  const lines = log.split("\n").filter((l) => /error|invalid|fail/i.test(l));
  return lines.slice(-5).join("; ");
}

/**
 * Starts the version's dependency build and waits for it. A build already running or done (a
 * re-run after a crash) is waited for instead of started twice.
 */
export const buildDependencies = handlerFor<BuildDependenciesAction>(
  "buildDependencies",
  async ({ action, context, signal, progress, resolve }) => {
    const { client } = context;
    const modelId = resolve(action.model, "modelId");
    const versionId = resolve(action.version, "versionId");
    try {
      await client.dependencyBuilds.start(modelId, versionId, signal);
    } catch (error) {
      if (!(error instanceof ApiError && error.status === 409)) throw error;
    }
    const build = await client.dependencyBuilds.waitForBuild(modelId, versionId, {
      signal,
      timeoutMs: context.waitTimeoutMs,
      onProgress: (p) => progress(`build ${p.state}`),
    });
    if (build.buildStatus !== "success") {
      const log = await client.dependencyBuilds.log(modelId, versionId, signal).catch(() => "");
      const why = failureLines(log);
      return {
        status: "failed",
        message: `dependency build of version ${versionId} failed${why ? `: ${why}` : ""}; fix requirements.txt`,
      };
    }
    return { status: "succeeded", message: "dependencies built" };
  },
);
