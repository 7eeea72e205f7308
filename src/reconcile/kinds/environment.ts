import type { DesiredEnvironment } from "../desired.js";
import { valueChange } from "../diff.js";
import type { LiveEnvironment, LiveEnvironmentVersion } from "../live.js";
import type { ActionOf, FieldChange } from "../plan-file.js";
import { canonicalJson } from "../../spec/canonical-json.js";
import { sha256Digest } from "../fingerprint.js";
import { stripTrailer, withTrailer } from "../trailer.js";
import { actionId, defineKind } from "./kind.js";

/**
 * Execution environments have no userProvidedId: drgitops finds its own by the description trailer,
 * and a version by the docker-context digest in its trailer, so a context is built once.
 */
export const environmentKind = defineKind<DesiredEnvironment, LiveEnvironment>({
  kind: "ExecutionEnvironment",
  desired: (state) => state.environments,
  live: (state) => state.environments,
  desiredKey: (d) => d.key,
  liveKey: (l) => l.key,
  labels: (d) => d.labels,
  dependencies: () => [],
  plan({ key, desired, live, duplicates }, ctx) {
    // Environments are never pruned: models outside this repository may run on them.
    if (!desired) return;
    if (duplicates.length > 0) {
      ctx.out.refusals.push({
        key,
        reason: `${duplicates.length + 1} environments carry the trailer of ${key} (ids ${[live, ...duplicates].map((e) => e?.id).join(", ")}); using ${live?.id}. Remove the trailer from the others.`,
        blocking: false,
      });
    }
    // Like models: the applied digest tells a UI edit (drift) from a manifest edit.
    const trailer = { key, applied: sha256Digest(canonicalJson(desired.fields)) };
    const versionDescription = withTrailer("", { key, fingerprint: desired.contextDigest });
    if (!live) {
      const createId = actionId("createEnvironment", key);
      const buildId = actionId("buildEnvironmentVersion", key);
      ctx.out.actions.push(
        {
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
        },
        {
          type: "buildEnvironmentVersion",
          id: buildId,
          key,
          reasons: ["first version of a new environment"],
          changes: [{ kind: "value", path: "dockerContext", before: null, after: desired.contextDigest }],
          dependsOn: [createId],
          expected: null,
          environment: { fromAction: createId },
          dockerContextDir: desired.dockerContextDir,
          contextDigest: desired.contextDigest,
          description: versionDescription,
        },
      );
      ctx.environments.set(key, { fromAction: buildId });
      return;
    }

    const expected = { id: live.id, latestVersionId: live.latestVersion?.id ?? null, updated: null };
    let acted = false;
    const patch: ActionOf<"updateEnvironment">["patch"] = {};
    const changes: FieldChange[] = [];
    const name = valueChange("name", live.name, desired.fields.name);
    if (name) {
      changes.push(name);
      patch.name = desired.fields.name;
    }
    const description = valueChange(
      "description",
      stripTrailer(live.description),
      desired.fields.description,
    );
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
    const trailerChanged = live.trailer?.applied !== trailer.applied;
    if (description || trailerChanged) patch.description = withTrailer(desired.fields.description, trailer);
    const names = changes.map((c) => c.path).join(", ");
    const drifted = changes.length > 0 && !trailerChanged;
    if (drifted)
      ctx.out.drift.push({
        key,
        subject: "environment",
        summary: `${names} changed outside drgitops`,
        changes,
      });
    if (changes.length > 0 || trailerChanged) {
      acted = true;
      ctx.out.actions.push({
        type: "updateEnvironment",
        id: actionId("updateEnvironment", key),
        key,
        reasons: [
          drifted
            ? `restore ${names} changed outside drgitops`
            : changes.length > 0
              ? `${names} changed in the manifest`
              : "record the applied fields in the environment's trailer",
        ],
        changes,
        dependsOn: [],
        expected,
        environmentId: live.id,
        patch,
      });
    }

    const built = builtFor(live, desired.contextDigest);
    if (built) {
      ctx.environments.set(key, { id: live.id, versionId: built.id });
    } else {
      acted = true;
      const buildId = actionId("buildEnvironmentVersion", key);
      const previous = live.latestVersion?.trailer?.fingerprint ?? null;
      ctx.out.actions.push({
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
        dockerContextDir: desired.dockerContextDir,
        contextDigest: desired.contextDigest,
        description: versionDescription,
      });
      ctx.environments.set(key, { fromAction: buildId });
    }
    if (!acted) ctx.out.unchanged.push(key);
  },
});

/** A version of this context that is built or building (a failed build does not count). */
function builtFor(live: LiveEnvironment, digest: string): LiveEnvironmentVersion | undefined {
  return [live.latestVersion, live.latestSuccessfulVersion].find(
    (v): v is LiveEnvironmentVersion =>
      v !== null && v.trailer?.fingerprint === digest && v.buildStatus !== "failed",
  );
}
