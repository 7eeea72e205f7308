import type { FastifyInstance } from "fastify";
import { z } from "zod";
import type { EmulatorContext } from "../context.js";
import { inspectDockerContext } from "../domain/docker-context.js";
import { scenarioForEnvironment } from "../domain/scenario.js";
import type { JobHandler, JobRecord } from "../jobs/types.js";
import {
  getEnvironmentRecord,
  getEnvironmentVersionRecord,
  updateEnvironmentVersionBuild,
} from "../store/environments.js";

const BuildPayload = z.object({ environmentVersionId: z.string() });

interface BuildResult {
  ok: boolean;
  log: string;
  error: string;
}

const DOCKERFILE_MISSING = "Dockerfile not found in the root of the docker context";

/**
 * Judges an environment version the way a build would (API.md §4.2): an image or image URI builds;
 * a docker context needs a readable archive with a root-level Dockerfile. Scenario outcomes win.
 */
async function judgeBuild(
  ctx: EmulatorContext,
  environmentVersionId: string,
): Promise<BuildResult | undefined> {
  const version = getEnvironmentVersionRecord(ctx.db, environmentVersionId);
  if (version === undefined) return undefined;
  const environment = getEnvironmentRecord(ctx.db, version.environmentId);
  const lines = [`Building environment version ${version.label}`];
  let result: BuildResult;
  if (version.sourceDockerImageUri !== null) {
    lines.push(`Pulling image ${version.sourceDockerImageUri}`);
    result = { ok: true, log: "", error: "" };
  } else if (version.dockerImage !== null) {
    lines.push(`Loading image tarball ${version.dockerImage.fileName} (${version.dockerImage.size} bytes)`);
    result = { ok: true, log: "", error: "" };
  } else if (version.dockerContext !== null) {
    lines.push(
      `Reading docker context ${version.dockerContext.fileName} (${version.dockerContext.size} bytes)`,
    );
    const report = await inspectDockerContext(ctx.blobs.path(version.dockerContext.sha256));
    if (!report.ok) {
      result = { ok: false, log: "", error: report.error };
    } else {
      lines.push(`Docker context (${report.format}) holds ${report.files.length} file(s)`);
      result = report.hasDockerfile
        ? { ok: true, log: "", error: "" }
        : { ok: false, log: "", error: DOCKERFILE_MISSING };
    }
  } else {
    result = { ok: false, log: "", error: "Nothing to build: no docker context, image or image URI" };
  }
  const scripted = environment && scenarioForEnvironment(ctx.config.scenario, environment.name);
  if (scripted?.outcome === "fail") {
    result = {
      ok: false,
      log: "",
      error: scripted.message ?? "Build failed (scripted by the scenario file)",
    };
  } else if (scripted?.outcome === "pass") {
    result = { ok: true, log: "", error: "" };
  }
  if (result.ok) {
    lines.push("Step 1/1 : docker build .", `Successfully built ${version.imageId}`);
  } else {
    lines.push(`ERROR: ${result.error}`, "Build failed");
  }
  return { ...result, log: `${lines.join("\n")}\n` };
}

function buildHandler(
  ctx: EmulatorContext,
): JobHandler<z.infer<typeof BuildPayload>, BuildResult | undefined> {
  return {
    type: "environmentBuild",
    payload: BuildPayload,
    onStart: (db, _job, { environmentVersionId }) => {
      const version = getEnvironmentVersionRecord(db, environmentVersionId);
      if (version?.buildStatus === "submitted") {
        updateEnvironmentVersionBuild(db, environmentVersionId, { buildStatus: "processing" });
      }
    },
    // What a context expands to is unknown until it is read (a small tar.gz may hold gigabytes), so
    // every context is read in the background: only reads of its environment wait (settleBuilds).
    background: (_job, { environmentVersionId }) =>
      (getEnvironmentVersionRecord(ctx.db, environmentVersionId)?.dockerContext ?? null) !== null,
    evaluate: (_job, { environmentVersionId }) => judgeBuild(ctx, environmentVersionId),
    apply: (db, _job, { environmentVersionId }, result) => {
      const version = getEnvironmentVersionRecord(db, environmentVersionId);
      if (result === undefined || version === undefined) {
        return { state: "ERROR", message: `Environment version ${environmentVersionId} no longer exists` };
      }
      updateEnvironmentVersionBuild(db, environmentVersionId, {
        buildStatus: result.ok ? "success" : "failed",
        buildLog: result.log,
        buildError: result.error,
      });
      return result.ok
        ? {
            state: "COMPLETED",
            resultPath: `executionEnvironments/${version.environmentId}/versions/${version.id}/`,
          }
        : { state: "ERROR", message: result.error };
    },
  };
}

/**
 * Starts the build of an environment version just stored with `buildStatus: "submitted"`; call it
 * inside the create request's transaction. Returns the job's status id.
 */
export function startEnvironmentBuild(ctx: EmulatorContext, environmentVersionId: string): string {
  return ctx.jobs.enqueue({ type: "environmentBuild", payload: { environmentVersionId } });
}

/**
 * Finishes the due builds of `environmentId`'s versions (of every environment when undefined), so a
 * read of a build's state never shows one older than the clock says, background or not.
 */
export async function settleBuilds(ctx: EmulatorContext, environmentId?: string): Promise<void> {
  const ofEnvironment = (job: JobRecord): boolean => {
    if (job.type !== "environmentBuild") return false;
    if (environmentId === undefined) return true;
    const id = BuildPayload.safeParse(job.payload).data?.environmentVersionId;
    return id !== undefined && getEnvironmentVersionRecord(ctx.db, id)?.environmentId === environmentId;
  };
  await ctx.jobs.settle({ include: ofEnvironment });
}

/** Registers the build job; the version routes themselves (incl. `buildLog/`) are part A's. */
export function registerEnvironmentBuildJobs(_app: FastifyInstance, ctx: EmulatorContext): void {
  ctx.jobs.register(buildHandler(ctx));
}
