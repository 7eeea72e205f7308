import { join } from "node:path";
import { isNotFound } from "../../client/index.js";
import { ProgrammingLanguageSchema, UseCaseSchema } from "../../client/wire/environment.js";
import { handlerFor, type KindIo } from "../../reconcile/io.js";
import { mapLimit } from "../../spec/map-limit.js";
import { parseDescription, withTrailer } from "../../reconcile/trailer.js";
import {
  liveEnvironment,
  liveEnvironmentVersion,
  type LiveEnvironments,
  type LiveEnvironmentVersion,
} from "./live.js";
import type {
  BuildEnvironmentVersionAction,
  CreateEnvironmentAction,
  UpdateEnvironmentAction,
} from "./plan.js";

/** API.md §0.5 maximum for environments. */
const ENVIRONMENTS_PAGE = 100;
const UseCases = UseCaseSchema.array();

/** POST executionEnvironments/: the description already carries the ownership trailer. */
const createEnvironment = handlerFor<CreateEnvironmentAction>(
  "createEnvironment",
  async ({ action, context, signal }) => {
    const env = await context.client.environments.create(
      {
        name: action.body.name,
        description: action.body.description,
        programmingLanguage: ProgrammingLanguageSchema.parse(action.body.programmingLanguage),
        useCases: UseCases.parse(action.body.useCases),
      },
      signal,
    );
    return { status: "succeeded", message: `environment ${env.id}`, produced: { environmentId: env.id } };
  },
);

/** PATCH only the fields that differ. */
const updateEnvironment = handlerFor<UpdateEnvironmentAction>(
  "updateEnvironment",
  async ({ action, context, signal }) => {
    const { useCases, ...rest } = action.patch;
    const patch = { ...rest, ...(useCases ? { useCases: UseCases.parse(useCases) } : {}) };
    await context.client.environments.update(action.environmentId, patch, signal);
    return { status: "succeeded", produced: { environmentId: action.environmentId } };
  },
);

/**
 * Builds a version from the docker context, unless one with the same context digest already exists
 * (a re-run after a crash, or a context reverted to an earlier state): content-addressed, never twice.
 */
const buildEnvironmentVersion = handlerFor<BuildEnvironmentVersionAction>(
  "buildEnvironmentVersion",
  async ({ action, context, signal, progress, resolve }) => {
    const { client } = context;
    const envId = resolve(action.environment, "environmentId");
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
    const dockerContextPath = join(context.projectRoot, action.dockerContext);
    const version =
      existing ??
      (await client.environmentVersions.create(envId, { dockerContextPath, description }, signal));
    const built = await client.environmentVersions.waitForBuild(envId, version.id, {
      signal,
      timeoutMs: context.waitTimeoutMs,
      onProgress: (p) => progress(`build ${p.state}`),
    });
    if (built.buildStatus !== "success") {
      const log = await client.environmentVersions.buildLog(envId, version.id, signal).catch(() => undefined);
      return {
        status: "failed",
        message: `environment build ${version.id} failed${log?.error ? `: ${log.error}` : ""}; fix the docker context ${action.dockerContext}`,
      };
    }
    return {
      status: "succeeded",
      message: existing ? `reused built version ${version.id}` : `built version ${version.id}`,
      produced: { environmentId: envId, environmentVersionId: version.id },
    };
  },
);

export const environmentIo: KindIo<LiveEnvironments> = {
  async observe({ client, signal }) {
    const environments: LiveEnvironments["environments"] = [];
    for await (const e of client.environments.listAll({ limit: ENVIRONMENTS_PAGE }, signal))
      environments.push(liveEnvironment(e));
    return { environments, versions: {} };
  },
  /** Every version of the environments a plan asked about (a context reverted to an older build). */
  async fulfil(needs, live, { client, signal, parallelism }) {
    const ids = [
      ...new Set(needs.filter((n) => n.what === "versions").map((n) => n.params["environmentId"] ?? "")),
    ];
    const versions: Record<string, LiveEnvironmentVersion[]> = {};
    await mapLimit(ids, parallelism, async (id) => {
      const list: LiveEnvironmentVersion[] = [];
      for await (const v of client.environmentVersions.listAll(id, {}, signal))
        list.push(liveEnvironmentVersion(v));
      versions[id] = list;
    });
    return {
      live: { ...live, versions: { ...live.versions, ...versions } },
      counts: { environmentVersionLists: ids.length },
    };
  },
  handlers: { createEnvironment, updateEnvironment, buildEnvironmentVersion },
  async current({ id }, { client, signal }) {
    try {
      const e = await client.environments.get(id, signal);
      return { latestVersionId: e.latestVersion?.id ?? null, updated: null, gone: false };
    } catch (error) {
      if (isNotFound(error)) return { latestVersionId: null, updated: null, gone: true };
      throw error;
    }
  },
};
