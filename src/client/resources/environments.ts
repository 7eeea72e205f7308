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
    listPage(query?: ListEnvironmentsQuery, signal?: AbortSignal): Promise<Page<Environment>> {
      return fetchPage(http, "executionEnvironments/", listQuery(query), EnvironmentSchema, signal);
    },
    listAll(
      query?: ListEnvironmentsQuery,
      signal?: AbortSignal,
    ): AsyncGenerator<Environment, void, undefined> {
      return paginate(http, "executionEnvironments/", listQuery(query), EnvironmentSchema, signal);
    },
    get(id: string, signal?: AbortSignal): Promise<Environment> {
      return http.json(
        { method: "GET", path: `executionEnvironments/${seg(id)}/`, signal },
        EnvironmentSchema,
      );
    },
    create(input: CreateEnvironmentInput, signal?: AbortSignal): Promise<Environment> {
      const body = checkInput(CreateEnvironmentSchema, input, "execution environment");
      return http.json(
        { method: "POST", path: "executionEnvironments/", json: body, signal },
        EnvironmentSchema,
      );
    },
    update(id: string, input: UpdateEnvironmentInput, signal?: AbortSignal): Promise<Environment> {
      const body = checkInput(UpdateEnvironmentSchema, input, "execution environment update");
      return http.json(
        { method: "PATCH", path: `executionEnvironments/${seg(id)}/`, json: body, signal },
        EnvironmentSchema,
      );
    },
    async delete(id: string, signal?: AbortSignal): Promise<void> {
      await http.send({ method: "DELETE", path: `executionEnvironments/${seg(id)}/`, signal });
    },
  };
}
