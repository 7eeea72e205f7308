import type { Environment } from "../../client/index.js";
import { parseDescription } from "../../reconcile/trailer.js";
import {
  following,
  type JobOutcome,
  type KindOperations,
  type LogRead,
  type LogSource,
  type Nothing,
} from "../operations.js";

/** `logs --environment`: the build log of a managed environment's latest version. */

function outcomeOf(buildStatus: string): JobOutcome {
  if (buildStatus === "success") return "passed";
  if (buildStatus === "failed") return "failed";
  return "running";
}

/** The log, then the build's error when it has one (API.md §4: `""` means no error). */
function logText(log: { log: string; error?: string | null | undefined }): string {
  const error = log.error ?? "";
  if (error === "") return log.log;
  return `${log.log}${log.log === "" || log.log.endsWith("\n") ? "" : "\n"}error: ${error}\n`;
}

const buildLog: LogSource<Environment> = {
  name: "environment",
  describe: "the environment's latest build log",
  async read(env, { client, signal }): Promise<LogRead | Nothing> {
    const key = parseDescription(env.description ?? "").trailer?.key ?? env.id;
    const version = env.latestVersion;
    if (!version) return { nothing: `environment ${key} has no version yet` };
    const read = async () => logText(await client.environmentVersions.buildLog(env.id, version.id, signal));
    return {
      title: `build of environment ${key} version ${version.label ?? version.id}: ${version.buildStatus}`,
      text: await read(),
      outcome: outcomeOf(version.buildStatus),
      follow: following(
        async () => outcomeOf((await client.environmentVersions.get(env.id, version.id, signal)).buildStatus),
        read,
        read,
      ),
    };
  },
};

export const environmentOperations: KindOperations<Environment> = {
  async locate(key, { client, signal }) {
    // No userProvidedId on environments: drgitops' own carry the key in their trailer (DESIGN.md §4).
    for await (const env of client.environments.listAll({ isOwn: true, limit: 100 }, signal))
      if (parseDescription(env.description ?? "").trailer?.key === key) return env;
    return undefined;
  },
  logs: [buildLog],
  cancel: [],
};
