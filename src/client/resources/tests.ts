import type { ResourceContext } from "../context.js";
import { checkInput, seg } from "../context.js";
import { ApiError } from "../errors.js";
import { fetchPage, paginate } from "../paginate.js";
import { poll, runJob, type WaitOptions } from "../waiters.js";
import type { Page } from "../wire/common.js";
import {
  CreateTestSchema,
  CustomModelTestSchema,
  type CreateTestInput,
  type CustomModelTest,
} from "../wire/test.js";

/** API.md §3: custom model tests. */
export function tests(ctx: ResourceContext) {
  const { http } = ctx;
  const self = {
    /**
     * Starts a test and waits for its job. The 202 body is never read (API.md §3.1): the test comes
     * from the final 303 Location, or else from data[0] of the model's test list. A test that ran
     * and failed is returned (read `overallStatus`); a job that errored throws "job-failed".
     */
    async create(input: CreateTestInput, wait: WaitOptions = {}): Promise<CustomModelTest> {
      const body = checkInput(CreateTestSchema, input, "custom model test");
      return await runJob(
        ctx,
        { method: "POST", path: "customModelTests/", json: body },
        wait,
        CustomModelTestSchema,
        async (response) => {
          const page = await self.listPage(body.customModelId, { limit: 1 }, wait.signal);
          const [latest] = page.data;
          if (latest === undefined) {
            throw new ApiError(
              "invalid-response",
              `Test job finished but model ${body.customModelId} lists no tests`,
              { method: "GET", url: response.url },
            );
          }
          return latest;
        },
      );
    },
    async listPage(
      customModelId: string,
      query: { offset?: number; limit?: number } = {},
      signal?: AbortSignal,
    ): Promise<Page<CustomModelTest>> {
      return await fetchPage(
        http,
        "customModelTests/",
        { customModelId, ...query },
        CustomModelTestSchema,
        signal,
      );
    },
    async *listAll(
      customModelId: string,
      signal?: AbortSignal,
    ): AsyncGenerator<CustomModelTest, void, undefined> {
      yield* paginate(http, "customModelTests/", { customModelId }, CustomModelTestSchema, signal);
    },
    async get(testId: string, signal?: AbortSignal): Promise<CustomModelTest> {
      return await http.json(
        { method: "GET", path: `customModelTests/${seg(testId)}/`, signal },
        CustomModelTestSchema,
      );
    },
    async log(testId: string, signal?: AbortSignal): Promise<string> {
      return await http.text({ method: "GET", path: `customModelTests/${seg(testId)}/log/`, signal });
    },
    async logTail(testId: string, signal?: AbortSignal): Promise<string> {
      return await http.text({ method: "GET", path: `customModelTests/${seg(testId)}/tail/`, signal });
    },
    async cancel(testId: string, signal?: AbortSignal): Promise<void> {
      await http.send({ method: "DELETE", path: `customModelTests/${seg(testId)}/`, signal });
    },
    /** Polls the test until `overallStatus` is no longer in_progress (e.g. resuming after a crash). */
    async waitForCompletion(testId: string, wait: WaitOptions = {}): Promise<CustomModelTest> {
      return await poll(
        `test ${testId}`,
        async () => {
          const test = await self.get(testId, wait.signal);
          return test.overallStatus === "in_progress"
            ? { done: false, state: test.overallStatus }
            : { done: true, value: test };
        },
        wait,
        ctx.poll,
        ctx.sleep,
      );
    },
  };
  return self;
}
