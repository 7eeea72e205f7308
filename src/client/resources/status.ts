import type { ResourceContext } from "../context.js";
import { ApiError } from "../errors.js";
import { waitForJob, type WaitOptions } from "../waiters.js";
import { StatusSchema, type Status } from "../wire/common.js";

/** API.md §7: asynchronous job status. */
export function status(ctx: ResourceContext) {
  const { http } = ctx;
  return {
    /** One look at a job (id or absolute status URL); a finished job answers 303, reported as COMPLETED. */
    async get(idOrUrl: string, signal?: AbortSignal): Promise<Status & { resultUrl?: string }> {
      const path = idOrUrl.includes("/") ? idOrUrl : `status/${encodeURIComponent(idOrUrl)}/`;
      const res = await http.send({ method: "GET", path, signal });
      if (res.status >= 300 && res.status < 400)
        return { status: "COMPLETED", resultUrl: http.location("GET", res) };
      return http.parse("GET", res, StatusSchema);
    },
    /** Waits for a 202's Location; returns the URL of the result (the 303 target). */
    async waitFor(location: string, wait: WaitOptions = {}): Promise<string> {
      const { resultUrl } = await waitForJob(http, location, wait, ctx.poll, ctx.sleep);
      if (resultUrl === undefined) {
        throw new ApiError(
          "invalid-response",
          `Job ${location} completed without redirecting to its result`,
          {
            method: "GET",
            url: location,
          },
        );
      }
      return resultUrl;
    },
  };
}
