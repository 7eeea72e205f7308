import { z } from "zod";
import { actionId, actionSchema, PendingIdSchema, type FieldChange } from "../../reconcile/action.js";
import { valueChange } from "../../reconcile/diff.js";
import type { Pair } from "../../reconcile/pair.js";
import { refSlot, type PlanContext } from "../../reconcile/plan-context.js";
import { stripTrailer, withTrailer, type Trailer } from "../../reconcile/trailer.js";
import { DigestSchema } from "../../spec/digest.js";
import { environmentFieldsDigest, type DesiredEnvironment } from "./desired.js";
import {
  emptyLiveEnvironments,
  type LiveEnvironment,
  type LiveEnvironments,
  type LiveEnvironmentVersion,
} from "./live.js";
import { EXECUTION_ENVIRONMENT } from "./schema.js";

/** This kind's part of the plan's live state. */
function liveOfEnvironments(ctx: PlanContext): LiveEnvironments {
  return (
    (ctx.live.resources[EXECUTION_ENVIRONMENT] as LiveEnvironments | undefined) ?? emptyLiveEnvironments()
  );
}

export const EnvironmentBodySchema = z.object({
  name: z.string().min(1),
  description: z.string(),
  programmingLanguage: z.string().min(1),
  useCases: z.array(z.string()),
});

export const CreateEnvironmentActionSchema = actionSchema("createEnvironment", {
  /** POST executionEnvironments/ body; the description already carries the trailer. */
  body: EnvironmentBodySchema,
});

export const UpdateEnvironmentActionSchema = actionSchema("updateEnvironment", {
  environmentId: z.string(),
  /** PATCH executionEnvironments/{id}/ body: only fields that differ. */
  patch: EnvironmentBodySchema.omit({ programmingLanguage: true }).partial(),
});

export const BuildEnvironmentVersionActionSchema = actionSchema("buildEnvironmentVersion", {
  environment: PendingIdSchema,
  /** The docker context folder, relative to the project root. */
  dockerContext: z.string(),
  contextDigest: DigestSchema,
  /** Version description: the trailer whose fingerprint is the context digest (dedup by content). */
  description: z.string(),
});

export type CreateEnvironmentAction = z.infer<typeof CreateEnvironmentActionSchema>;
export type UpdateEnvironmentAction = z.infer<typeof UpdateEnvironmentActionSchema>;
export type BuildEnvironmentVersionAction = z.infer<typeof BuildEnvironmentVersionActionSchema>;
export type EnvironmentAction =
  CreateEnvironmentAction | UpdateEnvironmentAction | BuildEnvironmentVersionAction;

/** What a model version needs from an environment: ids known now, or the action producing them. */
export type EnvironmentResolution = { id: string; versionId: string } | { fromAction: string };

/** Environment key -> how to reach its built version (`environmentId` + `environmentVersionId`). */
export const environmentRefs = refSlot<EnvironmentResolution>(EXECUTION_ENVIRONMENT);

/**
 * Execution environments have no userProvidedId: drgitops finds its own by the description trailer,
 * and a version by the docker-context digest in its trailer, so a context is built once.
 */
export function planEnvironment(
  { key, desired, live, duplicates }: Pair<DesiredEnvironment, LiveEnvironment>,
  ctx: PlanContext,
): void {
  // Environments are never pruned: models outside this repository may run on them.
  if (!desired) return;
  if (duplicates.length > 0) {
    ctx.out.refusals.push({
      key,
      reason: `${duplicates.length + 1} environments carry the trailer of ${key} (ids ${[live, ...duplicates].map((e) => e?.id).join(", ")}); using ${live?.id}. Remove the trailer from the others.`,
      blocking: false,
    });
  }
  // Like models: the applied digest tells a UI edit (drift) from a manifest edit. An adopted
  // version stays recorded while it is the build of the manifest's context.
  const adopted = adoptedBuild(live, desired.contextDigest);
  const trailer: Trailer = {
    key,
    applied: environmentFieldsDigest(desired.fields),
    ...(adopted ? { fingerprint: desired.contextDigest, adoptedVersion: adopted.id } : {}),
  };
  const versionDescription = withTrailer("", { key, fingerprint: desired.contextDigest });
  if (!live) {
    const createId = actionId("createEnvironment", key);
    const buildId = actionId("buildEnvironmentVersion", key);
    const create: CreateEnvironmentAction = {
      type: "createEnvironment",
      id: createId,
      key,
      reasons: ["no environment carries this key"],
      changes: [
        { kind: "value", path: "name", before: null, after: desired.fields.name },
        {
          kind: "value",
          path: "programmingLanguage",
          before: null,
          after: desired.fields.programmingLanguage,
        },
      ],
      dependsOn: [],
      expected: null,
      body: { ...desired.fields, description: withTrailer(desired.fields.description, trailer) },
    };
    const build: BuildEnvironmentVersionAction = {
      type: "buildEnvironmentVersion",
      id: buildId,
      key,
      reasons: ["first version of a new environment"],
      changes: [{ kind: "value", path: "dockerContext", before: null, after: desired.contextDigest }],
      dependsOn: [createId],
      expected: null,
      environment: { fromAction: createId },
      dockerContext: desired.dockerContext,
      contextDigest: desired.contextDigest,
      description: versionDescription,
    };
    ctx.out.actions.push(create, build);
    ctx.refs.set(environmentRefs, key, { fromAction: buildId });
    return;
  }

  const expected = { id: live.id, latestVersionId: live.latestVersion?.id ?? null, updated: null };
  let acted = false;
  const patch: UpdateEnvironmentAction["patch"] = {};
  const changes: FieldChange[] = [];
  const name = valueChange("name", live.name, desired.fields.name);
  if (name) {
    changes.push(name);
    patch.name = desired.fields.name;
  }
  const description = valueChange("description", stripTrailer(live.description), desired.fields.description);
  if (description) changes.push(description);
  const useCases = valueChange("useCases", [...live.useCases].sort(), [...desired.fields.useCases].sort());
  if (useCases) {
    changes.push(useCases);
    patch.useCases = desired.fields.useCases;
  }
  if (live.programmingLanguage !== desired.fields.programmingLanguage) {
    ctx.out.refusals.push({
      key,
      reason: `programmingLanguage cannot change (live ${live.programmingLanguage}, manifest ${desired.fields.programmingLanguage}); give the environment a new name to create another one`,
      blocking: false,
    });
  }
  const appliedChanged = live.trailer?.applied !== trailer.applied;
  const trailerChanged = appliedChanged || live.trailer?.adoptedVersion !== trailer.adoptedVersion;
  if (description || trailerChanged) patch.description = withTrailer(desired.fields.description, trailer);
  const names = changes.map((c) => c.path).join(", ");
  const drifted = changes.length > 0 && !appliedChanged;
  if (drifted)
    ctx.out.drift.push({
      key,
      subject: "environment",
      summary: `${names} changed outside drgitops`,
      changes,
    });
  if (changes.length > 0 || trailerChanged) {
    acted = true;
    const update: UpdateEnvironmentAction = {
      type: "updateEnvironment",
      id: actionId("updateEnvironment", key),
      key,
      reasons: [
        drifted
          ? `restore ${names} changed outside drgitops`
          : changes.length > 0
            ? `${names} changed in the manifest`
            : appliedChanged
              ? "record the applied fields in the environment's trailer"
              : `the docker context changed: the adopted version ${live.trailer?.adoptedVersion ?? "?"} is no longer its build`,
      ],
      changes,
      dependsOn: [],
      expected,
      environmentId: live.id,
      patch,
    };
    ctx.out.actions.push(update);
  }

  const built = builtFor(live, desired.contextDigest, ctx);
  if (built) {
    ctx.refs.set(environmentRefs, key, { id: live.id, versionId: built.id });
  } else {
    acted = true;
    const buildId = actionId("buildEnvironmentVersion", key);
    const previous = live.latestVersion?.trailer?.fingerprint ?? null;
    const build: BuildEnvironmentVersionAction = {
      type: "buildEnvironmentVersion",
      id: buildId,
      key,
      reasons: [
        previous === desired.contextDigest
          ? `the last build of this docker context failed (version ${live.latestVersion?.label ?? "?"}); building again`
          : "the docker context changed",
      ],
      changes: [{ kind: "value", path: "dockerContext", before: previous, after: desired.contextDigest }],
      dependsOn: [],
      expected,
      environment: { id: live.id },
      dockerContext: desired.dockerContext,
      contextDigest: desired.contextDigest,
      description: versionDescription,
    };
    ctx.out.actions.push(build);
    ctx.refs.set(environmentRefs, key, { fromAction: buildId });
  }
  if (!acted) ctx.out.unchanged.push(key);
}

/**
 * A version of this context that is built or building (a failed build does not count): one whose
 * trailer carries the context digest, or the one `import --environment` adopted for that digest.
 * Only the versions the listing shows (the latest and latest successful ones) are looked at.
 */
export function listedBuildFor(live: LiveEnvironment, digest: string): LiveEnvironmentVersion | undefined {
  return [live.latestVersion, live.latestSuccessfulVersion].find(
    (v): v is LiveEnvironmentVersion => v !== null && isBuildOf(live, v, digest),
  );
}

function isBuildOf(live: LiveEnvironment, v: LiveEnvironmentVersion, digest: string): boolean {
  return v.buildStatus !== "failed" && (v.trailer?.fingerprint === digest || isAdopted(live, v, digest));
}

function isAdopted(live: LiveEnvironment, v: LiveEnvironmentVersion, digest: string): boolean {
  return live.trailer?.adoptedVersion === v.id && live.trailer.fingerprint === digest;
}

/** The adopted version, while it still is the environment's build of `digest`. */
function adoptedBuild(live: LiveEnvironment | undefined, digest: string): LiveEnvironmentVersion | undefined {
  if (live === undefined) return undefined;
  return [live.latestVersion, live.latestSuccessfulVersion].find(
    (v): v is LiveEnvironmentVersion =>
      v !== null && v.buildStatus !== "failed" && isAdopted(live, v, digest),
  );
}

/**
 * The build of this context (listedBuildFor). When neither listed version is one (a context
 * reverted to an earlier state) every version is asked for, so the plan reuses an older build
 * exactly as apply would, instead of planning a build that apply then skips, on every run.
 */
function builtFor(
  live: LiveEnvironment,
  digest: string,
  ctx: PlanContext,
): LiveEnvironmentVersion | undefined {
  const listed = listedBuildFor(live, digest);
  if (listed) return listed;
  const all = liveOfEnvironments(ctx).versions[live.id];
  if (all === undefined) {
    ctx.out.needs.push({ kind: EXECUTION_ENVIRONMENT, what: "versions", params: { environmentId: live.id } });
    return undefined;
  }
  // Only a finished build can be used now; one still building is waited for by the build action.
  return all.find((v) => isBuildOf(live, v, digest) && v.buildStatus === "success");
}
