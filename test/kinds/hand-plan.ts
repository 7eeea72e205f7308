import { createHash } from "node:crypto";
import type { DataRobotClient } from "../../src/client/index.js";
import { ActionSchema } from "../../src/kinds/index.js";
import type { ApplyContext } from "../../src/reconcile/io.js";
import type { Plan } from "../../src/reconcile/plan-file.js";

/** Hand-made plans for the handler suites: actions as a saved plan holds them, run on an emulator. */

export const sha = (text: string): string => createHash("sha256").update(text).digest("hex");

/** A plan around hand-made actions, validated by the plan file schema like a saved plan would be. */
export function planOf(actions: unknown[], unchanged: string[] = []): Plan {
  return {
    formatVersion: 1,
    createdAt: "2026-01-01T00:00:00.000Z",
    namespace: "acme/models",
    options: {
      prune: false,
      maxDeletions: 5,
      targets: [],
      selector: {},
      skipTests: false,
      allowEmpty: false,
      secretKeyId: null,
    },
    actions: actions.map((a) => ActionSchema.parse(a)),
    drift: [],
    unchanged,
    gate: [],
    untested: [],
    refusals: [],
    summary: {
      actions: {},
      total: actions.length,
      drift: 0,
      unchanged: 0,
      gate: 0,
      untested: 0,
      refusals: 0,
    },
  };
}

/** What apply hands every handler, for a project in `dir`. */
export function handContext(
  client: DataRobotClient,
  dir: string,
  extra: Partial<ApplyContext> = {},
): ApplyContext {
  return {
    client,
    provenance: undefined,
    projectRoot: dir,
    env: {},
    secretKey: "k",
    waitTimeoutMs: 30_000,
    ...extra,
  };
}

/**
 * The fields of a clean createVersion of the model made by action `modelAction`: `files` (path ->
 * text) uploaded from `localDir`, on the emulator's built-in environment.
 */
export function cleanVersionFields(
  modelAction: string,
  files: Record<string, string>,
  localDir: string,
  fingerprint: string,
): Record<string, unknown> {
  const entries = Object.entries(files);
  return {
    model: { fromAction: modelAction },
    mode: "clean",
    uploads: entries.map(([path, text]) => ({
      path,
      localPath: `${localDir}/${path}`,
      sha256: sha(text),
      size: Buffer.byteLength(text),
    })),
    deletions: [],
    isMajorUpdate: true,
    version: {
      files: entries.map(([path, text]) => ({ path, sha256: sha(text) })),
      environment: { id: "5e8c889607389fe0f466c72d", versionId: "5e8c889607389fe0f466c72e" },
      resources: null,
      runtimeParameterValues: null,
      trainingData: null,
      holdoutData: null,
      unmanaged: [],
    },
    enableTrainingDataForVersions: false,
    fingerprint,
  };
}
