import type { ResourceContext } from "../context.js";
import { seg } from "../context.js";
import { poll, type WaitOptions } from "../waiters.js";
import { DependencyBuildSchema, type DependencyBuild } from "../wire/version.js";

const FINAL_BUILD = new Set(["success", "failed"]);

/** API.md §5: the dependency (requirements.txt) image build of one version. */
export function dependencyBuilds(ctx: ResourceContext) {
  const { http } = ctx;
  const base = (modelId: string, versionId: string) =>
    `customModels/${seg(modelId)}/versions/${seg(versionId)}/`;
  const self = {
    async start(modelId: string, versionId: string, signal?: AbortSignal): Promise<DependencyBuild> {
      return await http.json(
        { method: "POST", path: `${base(modelId, versionId)}dependencyBuild/`, signal },
        DependencyBuildSchema,
      );
    },
    async get(modelId: string, versionId: string, signal?: AbortSignal): Promise<DependencyBuild> {
      return await http.json(
        { method: "GET", path: `${base(modelId, versionId)}dependencyBuild/`, signal },
        DependencyBuildSchema,
      );
    },
    async log(modelId: string, versionId: string, signal?: AbortSignal): Promise<string> {
      return await http.text({
        method: "GET",
        path: `${base(modelId, versionId)}dependencyBuildLog/`,
        signal,
      });
    },
    async cancel(modelId: string, versionId: string, signal?: AbortSignal): Promise<void> {
      await http.send({ method: "DELETE", path: `${base(modelId, versionId)}dependencyBuild/`, signal });
    },
    /** Polls the build itself (as PY does) until success or failed; a failed build is returned, not thrown. */
    async waitForBuild(modelId: string, versionId: string, wait: WaitOptions = {}): Promise<DependencyBuild> {
      return await poll(
        `dependency build of version ${versionId}`,
        async () => {
          const build = await self.get(modelId, versionId, wait.signal);
          return FINAL_BUILD.has(build.buildStatus)
            ? { done: true, value: build }
            : { done: false, state: build.buildStatus };
        },
        wait,
        ctx.poll,
        ctx.sleep,
      );
    },
  };
  return self;
}
