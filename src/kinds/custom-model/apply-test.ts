import { failureDetail } from "../../ci/failure-detail.js";
import { ApiError, type CustomModelTest, type DataRobotClient } from "../../client/index.js";
import { createRedactor } from "../../client/redact.js";
import { TestOutcomeSchema, type TestOutcome } from "../../reconcile/action.js";
import type { FailureLog } from "../../reconcile/events.js";
import { handlerFor, type ApplyContext } from "../../reconcile/io.js";
import { parseDescription, withTrailer } from "../../reconcile/trailer.js";
import type { BuildDependenciesAction, RunTestAction } from "./actions.js";

/** `errorCheck: no entry point; sideEffects: ...` for the checks that did not succeed. */
export function failedChecks(test: CustomModelTest): string {
  return Object.entries(test.testingStatus)
    .filter(([, s]) => s.status === "failed" || s.status === "warning")
    .map(([check, s]) => `${check} ${s.status}${s.message ? `: ${s.message}` : ""}`)
    .join("; ");
}

/** Lines of a failure log kept in an outcome: enough to see why, short enough for a PR comment. */
const LOG_TAIL_LINES = 20;

type Redacting = Pick<ApplyContext, "secrets"> & { client: Pick<DataRobotClient, "redact"> };

/** Text DataRobot reports (check messages, logs) may quote the token or a sensitive value. */
function redactor(context: Redacting): (text: string) => string {
  const secrets = createRedactor(context.secrets ?? []);
  return (text) => secrets(context.client.redact(text));
}

/**
 * The redacted end of a log for the outcome, or nothing when the log cannot be fetched (the failure
 * itself is what matters; a missing log must not turn it into another error).
 */
async function logTail(
  source: string,
  fetchLog: () => Promise<string>,
  context: Redacting,
): Promise<{ log?: FailureLog }> {
  const text = await fetchLog().catch(() => undefined);
  if (text === undefined || text.trim() === "") return {};
  const detail = failureDetail(context.client.redact(text), {
    secrets: context.secrets ?? [],
    maxLines: LOG_TAIL_LINES,
  });
  return { log: { source, ...detail } };
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
    const details = redactor(context)(failedChecks(test));
    if (outcome === "failed")
      return {
        status: "gate-failed",
        message: `test ${test.id} failed: ${details || "see the test log"}`,
        ...(await logTail("test log", () => client.tests.log(test.id, signal), context)),
      };
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
      const why = failureLines(redactor(context)(log));
      return {
        status: "failed",
        message: `dependency build of version ${versionId} failed${why ? `: ${why}` : ""}; fix requirements.txt`,
        ...(await logTail("dependency build log", () => Promise.resolve(log), context)),
      };
    }
    return { status: "succeeded", message: "dependencies built" };
  },
);
