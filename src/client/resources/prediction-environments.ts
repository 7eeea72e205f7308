import type { ResourceContext } from "../context.js";
import { checkInput, seg } from "../context.js";
import { fetchPage, paginate } from "../paginate.js";
import type { Page } from "../wire/common.js";
import {
  ListPredictionEnvironmentsQuerySchema,
  PredictionEnvironmentSchema,
  type ListPredictionEnvironmentsQuery,
  type PredictionEnvironment,
} from "../wire/deployment.js";

/** API.md §13.4: where deployments run (read-only here). */
export function predictionEnvironments(ctx: ResourceContext) {
  const { http } = ctx;
  const listQuery = (query: ListPredictionEnvironmentsQuery = {}) =>
    checkInput(ListPredictionEnvironmentsQuerySchema, query, "prediction environment list query");
  return {
    async listPage(
      query?: ListPredictionEnvironmentsQuery,
      signal?: AbortSignal,
    ): Promise<Page<PredictionEnvironment>> {
      return await fetchPage(
        http,
        "predictionEnvironments/",
        listQuery(query),
        PredictionEnvironmentSchema,
        signal,
      );
    },
    async *listAll(
      query?: ListPredictionEnvironmentsQuery,
      signal?: AbortSignal,
    ): AsyncGenerator<PredictionEnvironment, void, undefined> {
      yield* paginate(http, "predictionEnvironments/", listQuery(query), PredictionEnvironmentSchema, signal);
    },
    async get(id: string, signal?: AbortSignal): Promise<PredictionEnvironment> {
      return await http.json(
        { method: "GET", path: `predictionEnvironments/${seg(id)}/`, signal },
        PredictionEnvironmentSchema,
      );
    },
  };
}
