import type { ResourceContext } from "../context.js";
import { seg } from "../context.js";
import { fetchPage, paginate } from "../paginate.js";
import { startJob, type WaitOptions } from "../waiters.js";
import type { Page } from "../wire/common.js";
import { CustomModelDeploymentSchema, type CustomModelDeployment } from "../wire/deployment.js";

/** API.md §13.9: deployments as seen from custom models, and their logs. */
export function customModelDeployments(ctx: ResourceContext) {
  const { http } = ctx;
  const query = (ids: readonly string[]) =>
    ids.length === 0 ? undefined : { customModelIds: ids.join(",") };
  const logs = (id: string) => `customModelDeployments/${seg(id)}/logs/`;
  return {
    async listPage(
      customModelIds: readonly string[] = [],
      page: { offset?: number; limit?: number } = {},
      signal?: AbortSignal,
    ): Promise<Page<CustomModelDeployment>> {
      return await fetchPage(
        http,
        "customModelDeployments/",
        { ...query(customModelIds), ...page },
        CustomModelDeploymentSchema,
        signal,
      );
    },
    /**
     * Deployments of these custom models (all when none is given). The platform may return others
     * (CMA: "there's a bug in DR…"), so the result is filtered here as well.
     */
    async *listAll(
      customModelIds: readonly string[] = [],
      signal?: AbortSignal,
    ): AsyncGenerator<CustomModelDeployment, void, undefined> {
      const wanted = new Set(customModelIds);
      for await (const d of paginate(
        http,
        "customModelDeployments/",
        query(customModelIds),
        CustomModelDeploymentSchema,
        signal,
      ))
        if (wanted.size === 0 || wanted.has(d.customModel.id)) yield d;
    },
    /** The deployment's current log: empty when healthy, `ERROR: …` when errored (on the emulator). */
    async logs(id: string, signal?: AbortSignal): Promise<string> {
      return await http.text({ method: "GET", path: logs(id), signal });
    },
    /** POST logs/ (202, waited for), as CMA does after each creation; returns the collected text. */
    async collectLogs(id: string, wait: WaitOptions = {}): Promise<string> {
      const { resultUrl } = await startJob(ctx, { method: "POST", path: logs(id), idempotent: true }, wait, {
        locationOptional: true,
      });
      return await http.text({ method: "GET", path: resultUrl ?? logs(id), signal: wait.signal });
    },
  };
}
