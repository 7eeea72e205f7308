import type { DataRobotClient } from "../../client/index.js";
import type { Provenance } from "../../git/index.js";
import type { VersionFileCache } from "../observe-files.js";
import type { PendingId } from "../plan-file.js";

/** Ids an action produced, for the actions that depend on it (`{fromAction}` references). */
export interface ProducedIds {
  modelId?: string;
  versionId?: string;
  environmentId?: string;
  environmentVersionId?: string;
  datasetId?: string;
}

/** A test that finished failed: the run exits 7 even when everything else succeeded. */
export interface TestGateFailure {
  key: string;
  versionId: string;
  message: string;
}

/** Everything handlers share during one apply run. */
export interface ApplyContext {
  client: DataRobotClient;
  /** Commit the manifests come from; undefined outside git (no Drgitops-Commit, no gitModelVersion). */
  provenance: Provenance | undefined;
  versionCache: VersionFileCache;
  /** For sensitive runtime values, read at apply time and checked against the plan's hash. */
  env: NodeJS.ProcessEnv;
  /** Upper bound of each wait for a build, test or upload. */
  waitTimeoutMs: number;
  produced: Map<string, ProducedIds>;
  testFailures: TestGateFailure[];
}

/** A handler was given a plan whose references do not line up: a bug or a hand-edited plan. */
export class PlanReferenceError extends Error {}

/** Resolves `{id}` or `{fromAction}` to an id produced earlier in this run. */
export function resolveId(context: ApplyContext, ref: PendingId, field: keyof ProducedIds): string {
  if ("id" in ref) return ref.id;
  const value = context.produced.get(ref.fromAction)?.[field];
  if (value === undefined)
    throw new PlanReferenceError(
      `action ${ref.fromAction} did not produce a ${field}; the plan is inconsistent`,
    );
  return value;
}

/** Records what an action produced, merged with what it already recorded. */
export function produce(context: ApplyContext, actionId: string, ids: ProducedIds): void {
  context.produced.set(actionId, { ...context.produced.get(actionId), ...ids });
}
