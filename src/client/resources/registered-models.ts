import type { ResourceContext } from "../context.js";
import { checkInput, seg } from "../context.js";
import { ApiError } from "../errors.js";
import { fetchPage, paginate } from "../paginate.js";
import type { Page } from "../wire/common.js";
import {
  ListRegisteredModelsQuerySchema,
  ModelPackageSchema,
  RegisteredModelSchema,
  UpdateRegisteredModelSchema,
  UpdateRegisteredModelVersionSchema,
  type ListRegisteredModelsQuery,
  type ModelPackage,
  type RegisteredModel,
  type UpdateRegisteredModelInput,
  type UpdateRegisteredModelVersionInput,
} from "../wire/deployment.js";

/**
 * A registered model name already taken (API.md §13.2). The status is uncertain on the real
 * platform (§13.15), so only the message decides, as TF does.
 */
export function isNameTaken(error: unknown): error is ApiError {
  return error instanceof ApiError && /already in use/i.test(error.apiMessage ?? "");
}

/** API.md §13.3: registered models and their versions (packages). */
export function registeredModels(ctx: ResourceContext) {
  const { http } = ctx;
  const path = (id: string) => `registeredModels/${seg(id)}/`;
  const listQuery = (query: ListRegisteredModelsQuery = {}) =>
    checkInput(ListRegisteredModelsQuerySchema, query, "registered model list query");
  const self = {
    async listPage(query?: ListRegisteredModelsQuery, signal?: AbortSignal): Promise<Page<RegisteredModel>> {
      return await fetchPage(http, "registeredModels/", listQuery(query), RegisteredModelSchema, signal);
    },
    async *listAll(
      query?: ListRegisteredModelsQuery,
      signal?: AbortSignal,
    ): AsyncGenerator<RegisteredModel, void, undefined> {
      yield* paginate(http, "registeredModels/", listQuery(query), RegisteredModelSchema, signal);
    },
    /** `search` is a substring match; keep the exact name, as CMA does. */
    async findByName(name: string, signal?: AbortSignal): Promise<RegisteredModel | undefined> {
      for await (const r of self.listAll({ search: name }, signal)) if (r.name === name) return r;
      return undefined;
    },
    async get(id: string, signal?: AbortSignal): Promise<RegisteredModel> {
      return await http.json({ method: "GET", path: path(id), signal }, RegisteredModelSchema);
    },
    async update(
      id: string,
      input: UpdateRegisteredModelInput,
      signal?: AbortSignal,
    ): Promise<RegisteredModel> {
      const body = checkInput(UpdateRegisteredModelSchema, input, "registered model update");
      return await http.json(
        { method: "PATCH", path: path(id), json: body, signal, idempotent: true },
        RegisteredModelSchema,
      );
    },
    /** Deletes it with its packages; 409 while a package serves a deployment (see isStillDeployed). */
    async delete(id: string, signal?: AbortSignal): Promise<void> {
      await http.send({ method: "DELETE", path: path(id), signal });
    },
    async listVersionsPage(
      id: string,
      query: { offset?: number; limit?: number } = {},
      signal?: AbortSignal,
    ): Promise<Page<ModelPackage>> {
      return await fetchPage(http, `${path(id)}versions/`, query, ModelPackageSchema, signal);
    },
    async *listVersionsAll(id: string, signal?: AbortSignal): AsyncGenerator<ModelPackage, void, undefined> {
      yield* paginate(http, `${path(id)}versions/`, undefined, ModelPackageSchema, signal);
    },
    async getVersion(id: string, packageId: string, signal?: AbortSignal): Promise<ModelPackage> {
      return await http.json(
        { method: "GET", path: `${path(id)}versions/${seg(packageId)}/`, signal },
        ModelPackageSchema,
      );
    },
    async updateVersion(
      id: string,
      packageId: string,
      input: UpdateRegisteredModelVersionInput,
      signal?: AbortSignal,
    ): Promise<ModelPackage> {
      const body = checkInput(UpdateRegisteredModelVersionSchema, input, "registered model version update");
      return await http.json(
        {
          method: "PATCH",
          path: `${path(id)}versions/${seg(packageId)}/`,
          json: body,
          signal,
          idempotent: true,
        },
        ModelPackageSchema,
      );
    },
  };
  return self;
}
