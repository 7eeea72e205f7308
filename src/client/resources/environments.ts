import type { ResourceContext } from "../context.js";
import { checkInput, seg } from "../context.js";
import { fetchPage, paginate } from "../paginate.js";
import type { Page } from "../wire/common.js";
import {
  CreateEnvironmentSchema,
  EnvironmentSchema,
  ListEnvironmentsQuerySchema,
  UpdateEnvironmentSchema,
  type CreateEnvironmentInput,
  type Environment,
  type ListEnvironmentsQuery,
  type UpdateEnvironmentInput,
} from "../wire/environment.js";

/** API.md §4.1: execution environments. */
export function environments(ctx: ResourceContext) {
  const { http } = ctx;
  const listQuery = (query: ListEnvironmentsQuery = {}) =>
    checkInput(ListEnvironmentsQuerySchema, query, "environment list query");
  return {
    async listPage(query?: ListEnvironmentsQuery, signal?: AbortSignal): Promise<Page<Environment>> {
      return await fetchPage(http, "executionEnvironments/", listQuery(query), EnvironmentSchema, signal);
    },
    async *listAll(
      query?: ListEnvironmentsQuery,
      signal?: AbortSignal,
    ): AsyncGenerator<Environment, void, undefined> {
      yield* paginate(http, "executionEnvironments/", listQuery(query), EnvironmentSchema, signal);
    },
    async get(id: string, signal?: AbortSignal): Promise<Environment> {
      return await http.json(
        { method: "GET", path: `executionEnvironments/${seg(id)}/`, signal },
        EnvironmentSchema,
      );
    },
    async create(input: CreateEnvironmentInput, signal?: AbortSignal): Promise<Environment> {
      const body = checkInput(CreateEnvironmentSchema, input, "execution environment");
      return await http.json(
        { method: "POST", path: "executionEnvironments/", json: body, signal },
        EnvironmentSchema,
      );
    },
    async update(id: string, input: UpdateEnvironmentInput, signal?: AbortSignal): Promise<Environment> {
      const body = checkInput(UpdateEnvironmentSchema, input, "execution environment update");
      return await http.json(
        { method: "PATCH", path: `executionEnvironments/${seg(id)}/`, json: body, signal },
        EnvironmentSchema,
      );
    },
    async delete(id: string, signal?: AbortSignal): Promise<void> {
      await http.send({ method: "DELETE", path: `executionEnvironments/${seg(id)}/`, signal });
    },
  };
}
