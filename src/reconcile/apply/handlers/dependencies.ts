import { ApiError } from "../../../client/index.js";
import { resolveId } from "../context.js";
import { on } from "../registry.js";

/** Lines of a build log that say why it failed, so the error is readable without fetching the log. */
function failureLines(log: string): string {
  const lines = log.split("\n").filter((l) => /error|invalid|fail/i.test(l));
  return lines.slice(-5).join("; ");
}

/**
 * Starts the version's dependency build and waits for it. A build already running or done (a
 * re-run after a crash) is waited for instead of started twice.
 */
export const buildDependencies = on("buildDependencies", async ({ action, context, signal, progress }) => {
  const { client } = context;
  const modelId = resolveId(context, action.model, "modelId");
  const versionId = resolveId(context, action.version, "versionId");
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
    throw new Error(
      `dependency build of version ${versionId} failed${why ? `: ${why}` : ""}; fix requirements.txt`,
    );
  }
  return "dependencies built";
});
