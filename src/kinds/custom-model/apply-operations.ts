import { ApiError, type CustomModel, type CustomModelTest } from "../../client/index.js";
import { following } from "../operations.js";
import type {
  CancelTarget,
  JobOutcome,
  KindOperations,
  LogRead,
  LogSource,
  Nothing,
  OperationArgs,
} from "../operations.js";
import type { LoadedResource } from "../../spec/project.js";
import { failedChecks } from "./apply-test.js";
import { wasCancelled } from "./live.js";
import type { CustomModelManifest } from "./schema.js";
import { CUSTOM_MODEL } from "./schema.js";

/** `logs` and `cancel` of a custom model: its latest test and its latest version's dependency build. */

function shortId(id: string): string {
  return id.length > 12 ? `${id.slice(0, 12)}…` : id;
}

function testOutcome(test: CustomModelTest): JobOutcome {
  if (test.overallStatus === "in_progress") return "running";
  if (test.overallStatus === "failed") return "gate-failed";
  if (test.overallStatus === "succeeded" || test.overallStatus === "warning") return "passed";
  return "unknown";
}

function testStatusWords(test: CustomModelTest): string {
  if (wasCancelled(test)) return "cancelled";
  const details = failedChecks(test);
  return `${test.overallStatus === "in_progress" ? "running" : test.overallStatus}${details ? ` (${details})` : ""}`;
}

function testTitle(key: string, test: CustomModelTest): string {
  const version = test.customModelVersion?.label ? ` version ${test.customModelVersion.label}` : "";
  return `test ${shortId(test.id)} of ${key}${version}: ${testStatusWords(test)}`;
}

async function latestTest(model: CustomModel, args: OperationArgs): Promise<CustomModelTest | undefined> {
  return (await args.client.tests.listPage(model.id, { limit: 1 }, args.signal)).data[0];
}

const FINAL_BUILD = new Set(["success", "failed"]);

function buildOutcome(status: string): JobOutcome {
  if (status === "success") return "passed";
  if (status === "failed") return "failed";
  return FINAL_BUILD.has(status) ? "unknown" : "running";
}

/** The dependency build of the model's latest version, or why there is none. */
async function latestBuild(
  model: CustomModel,
  args: OperationArgs,
): Promise<{ versionId: string; label: string; buildStatus: string } | Nothing> {
  const version = model.latestVersion;
  if (!version) return { nothing: `${model.userProvidedId ?? model.id} has no version yet` };
  const label = version.label ?? `${version.versionMajor}.${version.versionMinor}`;
  if (!version.items.some((i) => i.filePath === "requirements.txt"))
    return { nothing: `version ${label} has no requirements.txt, so it has no dependency build` };
  try {
    const build = await args.client.dependencyBuilds.get(model.id, version.id, args.signal);
    return { versionId: version.id, label, buildStatus: build.buildStatus };
  } catch (error) {
    // API.md §5: 422 "build has not been started" before the first build.
    if (error instanceof ApiError && error.status === 422)
      return { nothing: `the dependency build of version ${label} has not been started` };
    throw error;
  }
}

const testLog: LogSource<CustomModel> = {
  name: "test",
  describe: "the latest test's log",
  async read(model, args): Promise<LogRead | Nothing> {
    const key = model.userProvidedId ?? model.id;
    const test = await latestTest(model, args);
    if (!test) return { nothing: `no test has run on ${key} yet` };
    const { client, signal } = args;
    return {
      title: testTitle(key, test),
      text: await client.tests.log(test.id, signal),
      outcome: testOutcome(test),
      follow: following(
        async () => testOutcome(await client.tests.get(test.id, signal)),
        () => client.tests.logTail(test.id, signal),
        () => client.tests.log(test.id, signal),
      ),
    };
  },
};

const buildLog: LogSource<CustomModel> = {
  name: "build",
  describe: "the latest version's dependency build log",
  async read(model, args): Promise<LogRead | Nothing> {
    const build = await latestBuild(model, args);
    if ("nothing" in build) return build;
    const { client, signal } = args;
    const log = () => client.dependencyBuilds.log(model.id, build.versionId, signal);
    return {
      title: `dependency build of ${model.userProvidedId ?? model.id} version ${build.label}: ${build.buildStatus}`,
      text: await log(),
      outcome: buildOutcome(build.buildStatus),
      // The build log has no tail route (API.md §5): the whole log it is.
      follow: following(
        async () =>
          buildOutcome((await client.dependencyBuilds.get(model.id, build.versionId, signal)).buildStatus),
        log,
        log,
      ),
    };
  },
};

function runningFor(created: string | null | undefined): string {
  const since = created ? Date.parse(created) : NaN;
  if (Number.isNaN(since)) return "";
  return ` after ${Math.max(0, Math.round((Date.now() - since) / 1000))} s`;
}

const cancelTest: CancelTarget<CustomModel> = {
  name: "test",
  describe: "the running test",
  async cancel(model, args) {
    const key = model.userProvidedId ?? model.id;
    const test = await latestTest(model, args);
    if (!test) return { nothing: `no test has run on ${key}` };
    if (test.overallStatus !== "in_progress")
      return {
        nothing: `no test is running on ${key}: the latest (${shortId(test.id)}) ${testStatusWords(test)}`,
      };
    await args.client.tests.cancel(test.id, args.signal);
    return { cancelled: `${testTitle(key, test).replace(/: running$/, "")}${runningFor(test.created)}` };
  },
};

const cancelBuild: CancelTarget<CustomModel> = {
  name: "build",
  describe: "the running dependency build",
  async cancel(model, args) {
    const key = model.userProvidedId ?? model.id;
    const build = await latestBuild(model, args);
    if ("nothing" in build) return build;
    if (FINAL_BUILD.has(build.buildStatus))
      return {
        nothing: `no dependency build is running on ${key}: the build of version ${build.label} ended ${build.buildStatus}`,
      };
    await args.client.dependencyBuilds.cancel(model.id, build.versionId, args.signal);
    return { cancelled: `dependency build of ${key} version ${build.label} (${build.buildStatus})` };
  },
};

/** Values of `{env: VAR, sensitive: true}` runtime parameters that the environment sets. */
function sensitiveValues(
  resources: readonly LoadedResource[],
  env: Readonly<Record<string, string | undefined>>,
): string[] {
  const out: string[] = [];
  for (const r of resources) {
    if (r.kind !== CUSTOM_MODEL) continue;
    const params = (r.manifest as CustomModelManifest).spec.runtimeParameters ?? {};
    for (const value of Object.values(params)) {
      if (typeof value !== "object" || !("env" in value) || value.sensitive !== true) continue;
      const secret = env[value.env];
      if (secret !== undefined && secret !== "") out.push(secret);
    }
  }
  return out;
}

export const customModelOperations: KindOperations<CustomModel> = {
  locate: (key, { client, signal }) => client.customModels.findByUserProvidedId(key, signal),
  logs: [testLog, buildLog],
  cancel: [cancelTest, cancelBuild],
  secrets: sensitiveValues,
};
