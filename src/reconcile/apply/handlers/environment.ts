import { ProgrammingLanguageSchema, UseCaseSchema } from "../../../client/index.js";
import { parseDescription, withTrailer } from "../../trailer.js";
import { produce, resolveId } from "../context.js";
import { on } from "../registry.js";
import { retrySafe } from "./retry.js";

const UseCases = UseCaseSchema.array();

/** POST executionEnvironments/: the description already carries the ownership trailer. */
export const createEnvironment = on("createEnvironment", async ({ action, context, signal, task }) => {
  const env = await context.client.environments.create(
    {
      name: action.body.name,
      description: action.body.description,
      programmingLanguage: ProgrammingLanguageSchema.parse(action.body.programmingLanguage),
      useCases: UseCases.parse(action.body.useCases),
    },
    signal,
  );
  produce(context, task.id, { environmentId: env.id });
  return `environment ${env.id}`;
});

/** PATCH only the fields that differ. */
export const updateEnvironment = on("updateEnvironment", async ({ action, context, signal, task }) => {
  const { useCases, ...rest } = action.patch;
  const patch = { ...rest, ...(useCases ? { useCases: UseCases.parse(useCases) } : {}) };
  await retrySafe(() => context.client.environments.update(action.environmentId, patch, signal), signal);
  produce(context, task.id, { environmentId: action.environmentId });
});

/**
 * Builds a version from the docker context, unless one with the same context digest already exists
 * (a re-run after a crash, or a context reverted to an earlier state): content-addressed, never twice.
 */
export const buildEnvironmentVersion = on(
  "buildEnvironmentVersion",
  async ({ action, context, signal, task, progress }) => {
    const { client } = context;
    const envId = resolveId(context, action.environment, "environmentId");
    let existing: { id: string } | undefined;
    for await (const v of client.environmentVersions.listAll(envId, {}, signal)) {
      const trailer = parseDescription(v.description ?? "").trailer;
      if (trailer?.fingerprint === action.contextDigest && v.buildStatus !== "failed") {
        existing = v;
        break;
      }
    }
    const parsed = parseDescription(action.description);
    const description = withTrailer(parsed.body, {
      ...(parsed.trailer ?? { key: action.key }),
      fingerprint: action.contextDigest,
      ...(context.provenance ? { commit: context.provenance.shortSha } : {}),
    });
    const version =
      existing ??
      (await client.environmentVersions.create(
        envId,
        { dockerContextPath: action.dockerContextDir, description },
        signal,
      ));
    const built = await client.environmentVersions.waitForBuild(envId, version.id, {
      signal,
      timeoutMs: context.waitTimeoutMs,
      onProgress: (p) => progress(`build ${p.state}`),
    });
    if (built.buildStatus !== "success") {
      const log = await client.environmentVersions.buildLog(envId, version.id, signal).catch(() => undefined);
      throw new Error(
        `environment build ${version.id} failed${log?.error ? `: ${log.error}` : ""}; fix the docker context ${action.dockerContextDir}`,
      );
    }
    produce(context, task.id, { environmentId: envId, environmentVersionId: version.id });
    return existing ? `reused built version ${version.id}` : `built version ${version.id}`;
  },
);
