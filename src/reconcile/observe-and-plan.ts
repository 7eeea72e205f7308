import type { DataRobotClient } from "../client/index.js";
import type { Issue, Project } from "../spec/index.js";
import { desiredStateFromProject } from "./desired-from-project.js";
import type { DesiredState } from "./desired.js";
import type { LiveState } from "./live.js";
import { observeDetails, observeListings, type ObservedDetails } from "./observe.js";
import { VersionFileCache, versionCacheDir } from "./observe-files.js";
import type { Plan } from "./plan-file.js";
import { buildPlan, type BuildPlanOptions } from "./plan.js";

export interface ObserveAndPlanOptions {
  client: DataRobotClient;
  project: Project;
  env: NodeJS.ProcessEnv;
  planOptions: BuildPlanOptions;
  parallelism?: number;
  signal?: AbortSignal;
}

export type ObserveAndPlanResult =
  | { ok: false; issues: Issue[] }
  | {
      ok: true;
      plan: Plan;
      desired: DesiredState;
      live: LiveState;
      liveTexts: ObservedDetails["liveTexts"];
      counts: ObservedDetails["counts"];
    };

/**
 * The read-only half of plan and apply: list live state once, resolve credentials and `{env}` values
 * into the desired state (unresolvable ones are issues, reported before anything is written), fetch
 * only the details the plan needs, then plan. Never writes to DataRobot.
 */
export async function observeAndPlan(options: ObserveAndPlanOptions): Promise<ObserveAndPlanResult> {
  const { client, project, signal } = options;
  const listed = await observeListings(client, project.namespace, signal);
  const credentials = new Map(Object.entries(listed.credentials));
  const { state: desired, issues } = desiredStateFromProject(project, { credentials, env: options.env });
  if (issues.some((i) => i.severity === "error")) return { ok: false, issues };
  const details = await observeDetails(desired, listed, {
    client,
    cache: new VersionFileCache(versionCacheDir(project.root)),
    planOptions: options.planOptions,
    ...(options.parallelism !== undefined ? { parallelism: options.parallelism } : {}),
    ...(signal ? { signal } : {}),
  });
  const plan = buildPlan(desired, details.live, options.planOptions);
  return {
    ok: true,
    plan,
    desired,
    live: details.live,
    liveTexts: details.liveTexts,
    counts: details.counts,
  };
}
