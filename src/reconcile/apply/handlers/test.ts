import type { CustomModelTest } from "../../../client/index.js";
import { TestOutcomeSchema, parseDescription, withTrailer, type TestOutcome } from "../../trailer.js";
import { resolveId } from "../context.js";
import { on } from "../registry.js";
import { retrySafe } from "./retry.js";

/** `errorCheck: no entry point; sideEffects: ...` for the checks that did not succeed. */
export function failedChecks(test: CustomModelTest): string {
  return Object.entries(test.testingStatus)
    .filter(([, s]) => s.status === "failed" || s.status === "warning")
    .map(([check, s]) => `${check} ${s.status}${s.message ? `: ${s.message}` : ""}`)
    .join("; ");
}

/** The test gate failed: apply exits 7, and the recorded outcome keeps it failing until something changes. */
export class TestGateError extends Error {}

/**
 * Runs the version's test, waits for it, then records `Drgitops-Test: <outcome> <config digest>` in
 * the version trailer, so the next plan knows the gate without fetching tests.
 */
export const runTest = on("runTest", async ({ action, context, signal, progress }) => {
  const { client } = context;
  const modelId = resolveId(context, action.model, "modelId");
  const versionId = resolveId(context, action.version, "versionId");
  const parameters: Record<string, Record<string, unknown>> = { ...action.parameters };
  if (action.predictionDataset) {
    parameters["predictionVerificationCheck"] = {
      ...parameters["predictionVerificationCheck"],
      datasetId: resolveId(context, action.predictionDataset, "datasetId"),
    };
  }
  const test = await client.tests.create(
    {
      customModelId: modelId,
      customModelVersionId: versionId,
      ...(action.dataset ? { datasetId: resolveId(context, action.dataset, "datasetId") } : {}),
      configuration: action.configuration,
      parameters,
    },
    { signal, timeoutMs: context.waitTimeoutMs, onProgress: (p) => progress(`test ${p.state}`) },
  );
  const parsedOutcome = TestOutcomeSchema.safeParse(test.overallStatus);
  if (!parsedOutcome.success)
    throw new Error(`test ${test.id} ended with unexpected status ${test.overallStatus}`);
  const outcome: TestOutcome = parsedOutcome.data;
  await retrySafe(async () => {
    const version = await client.versions.get(modelId, versionId, signal);
    const { body, trailer } = parseDescription(version.description ?? "");
    const next = {
      ...(trailer ?? { key: action.key }),
      test: { outcome, configDigest: action.configDigest },
    };
    await client.versions.update(modelId, versionId, { description: withTrailer(body, next) }, signal);
  }, signal);
  const details = failedChecks(test);
  if (outcome === "failed") {
    context.testFailures.push({ key: action.key, versionId, message: details });
    throw new TestGateError(`test ${test.id} failed: ${details || "see the test log"}`);
  }
  return `test ${outcome}${details ? ` (${details})` : ""}`;
});
