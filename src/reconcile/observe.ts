import type { DataRobotClient } from "../client/index.js";
import { kinds } from "../kinds/index.js";
import { liveOf } from "../kinds/kind.js";
import type { Issue } from "../spec/issue.js";
import type { Project } from "../spec/project.js";
import { desiredStateFromProject } from "./desired.js";
import type { Need } from "./plan-context.js";
import type { Plan } from "./plan-file.js";
import { buildPlan, type BuildPlanOptions } from "./plan.js";
import type { DesiredState, LiveState } from "./state.js";

/** Step 1 of observing: each kind lists its live objects once. O(pages), whatever the number of models. */
export async function observeListings(
  client: DataRobotClient,
  namespace: string,
  signal?: AbortSignal,
): Promise<LiveState> {
  const parts = await Promise.all(
    kinds.map(
      async (kind) => [kind.name, await (await kind.io()).observe({ client, namespace, signal })] as const,
    ),
  );
  return { namespace, resources: Object.fromEntries(parts) };
}

export interface FetchedDetails {
  live: LiveState;
  /** Version id -> path -> text of small text files, for unified diffs in the human plan. */
  texts: Record<string, Record<string, string>>;
  /** What was fetched and how (cache hits, downloads, tests), for the bench and debug output. */
  counts: Record<string, number>;
}

/** Step 2: each kind fetches what the plan's needs name (file digests, latest tests), in parallel. */
export async function fetchNeeds(
  needs: readonly Need[],
  live: LiveState,
  args: {
    client: DataRobotClient;
    projectRoot: string;
    parallelism: number;
    signal?: AbortSignal | undefined;
  },
): Promise<FetchedDetails> {
  const texts: Record<string, Record<string, string>> = {};
  const counts: Record<string, number> = {};
  const resources: Record<string, unknown> = { ...live.resources };
  await Promise.all(
    kinds.map(async (kind) => {
      const mine = needs.filter((n) => n.kind === kind.name);
      if (mine.length === 0) return;
      const io = await kind.io();
      if (!io.fulfil) throw new Error(`kind ${kind.name} asked for ${mine[0]!.what} but cannot fetch it`);
      const fulfilled = await io.fulfil(mine, liveOf(kind, live), { ...args, namespace: live.namespace });
      resources[kind.name] = fulfilled.live;
      Object.assign(texts, fulfilled.texts);
      for (const [name, n] of Object.entries(fulfilled.counts ?? {})) counts[name] = (counts[name] ?? 0) + n;
    }),
  );
  return { live: { ...live, resources }, texts, counts };
}

export interface ObserveAndPlanOptions {
  client: DataRobotClient;
  project: Project;
  env: NodeJS.ProcessEnv;
  planOptions: BuildPlanOptions;
  parallelism?: number;
  signal?: AbortSignal;
  /** Live state listed already (the CLI lists while it loads the manifests); else listed here. */
  listed?: LiveState;
}

export type ObserveAndPlanResult =
  | { ok: false; issues: Issue[] }
  | {
      ok: true;
      plan: Plan;
      desired: DesiredState;
      live: LiveState;
      texts: FetchedDetails["texts"];
      counts: FetchedDetails["counts"];
    };

/**
 * The read-only half of plan and apply, in two explicit phases: list live state once, resolve the
 * desired state against it (unresolvable values are issues, reported before anything is written),
 * plan; fetch exactly what that plan says it lacked; plan once more. Never writes to DataRobot.
 */
export async function observeAndPlan(options: ObserveAndPlanOptions): Promise<ObserveAndPlanResult> {
  const { client, project, signal } = options;
  const listed = options.listed ?? (await observeListings(client, project.namespace, signal));
  const secretKey = options.planOptions.secretKey ?? "";
  const { state: desired, issues } = desiredStateFromProject(project, {
    live: listed,
    env: options.env,
    secretKey,
  });
  if (issues.some((i) => i.severity === "error")) return { ok: false, issues };
  return { ok: true, desired, ...(await planWithNeeds(desired, listed, options)) };
}

/** plan → fetch what it needs → plan once more; the second plan must need nothing. */
export async function planWithNeeds(
  desired: DesiredState,
  listed: LiveState,
  options: Pick<ObserveAndPlanOptions, "client" | "project" | "planOptions" | "parallelism" | "signal">,
): Promise<{
  plan: Plan;
  live: LiveState;
  texts: FetchedDetails["texts"];
  counts: FetchedDetails["counts"];
}> {
  const first = buildPlan(desired, listed, options.planOptions);
  if (first.needs.length === 0) return { plan: first.plan, live: listed, texts: {}, counts: {} };
  const details = await fetchNeeds(first.needs, listed, {
    client: options.client,
    projectRoot: options.project.root,
    parallelism: options.parallelism ?? 4,
    signal: options.signal,
  });
  const second = buildPlan(desired, details.live, options.planOptions);
  if (second.needs.length > 0)
    throw new Error(
      `internal error: the plan still lacks ${second.needs.map((n) => `${n.what} of ${n.params["modelKey"] ?? n.kind}`).join(", ")} after fetching it`,
    );
  return { plan: second.plan, live: details.live, texts: details.texts, counts: details.counts };
}
