import { defineKind } from "../kind.js";
import { desiredEnvironment, type DesiredEnvironment } from "./desired.js";
import { emptyLiveEnvironments, type LiveEnvironment, type LiveEnvironments } from "./live.js";
import {
  BuildEnvironmentVersionActionSchema,
  CreateEnvironmentActionSchema,
  planEnvironment,
  UpdateEnvironmentActionSchema,
  type EnvironmentAction,
} from "./plan.js";
import { environmentRender } from "./render.js";
import { environmentRules } from "./rules.js";
import {
  EXECUTION_ENVIRONMENT,
  ExecutionEnvironmentManifestSchema,
  PartialExecutionEnvironmentManifestSchema,
  type ExecutionEnvironmentManifest,
  type PartialExecutionEnvironmentManifest,
} from "./schema.js";
import { environmentStatus } from "./status.js";

/** A Docker context built into an execution environment version whenever its files change. */
export const executionEnvironmentKind = defineKind<
  ExecutionEnvironmentManifest,
  PartialExecutionEnvironmentManifest,
  DesiredEnvironment,
  LiveEnvironments,
  LiveEnvironment,
  EnvironmentAction
>({
  name: EXECUTION_ENVIRONMENT,
  schema: ExecutionEnvironmentManifestSchema,
  partialSchema: PartialExecutionEnvironmentManifestSchema,
  takesDefaults: false,
  localPaths: (m) =>
    m.spec.dockerContext === undefined
      ? []
      : [
          {
            role: "dockerContext",
            field: ["spec", "dockerContext"],
            written: m.spec.dockerContext,
            expect: "dir",
            what: "docker context",
            missingCode: "docker-context-missing",
            content: "files",
            required: {
              name: "Dockerfile",
              code: "dockerfile-missing",
              consequence: "the environment build would fail",
            },
          },
        ],
  references: () => [],
  rules: environmentRules,
  desired: desiredEnvironment,
  live: {
    empty: emptyLiveEnvironments,
    objects: (state) => state.environments,
    // Paired by the trailer's key; an environment without one is not drgitops': never paired.
    identities: (e) => (e.key === null ? [] : [e.key]),
  },
  dependencies: () => [],
  plan: planEnvironment,
  actions: [
    CreateEnvironmentActionSchema,
    UpdateEnvironmentActionSchema,
    BuildEnvironmentVersionActionSchema,
  ],
  render: environmentRender,
  status: environmentStatus,
  io: async () => (await import("./apply.js")).environmentIo,
  operations: async () => (await import("./apply-operations.js")).environmentOperations,
});
