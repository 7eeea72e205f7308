import type { ResourceContext } from "../context.js";
import { checkInput, seg } from "../context.js";
import { ApiError } from "../errors.js";
import { fetchPage, paginate } from "../paginate.js";
import { runJob, type WaitOptions } from "../waiters.js";
import type { Page } from "../wire/common.js";
import {
  AssignTrainingDataSchema,
  CreateCustomModelSchema,
  CustomModelSchema,
  ListCustomModelsQuerySchema,
  UpdateCustomModelSchema,
  type AssignTrainingDataInput,
  type CreateCustomModelInput,
  type CustomModel,
  type ListCustomModelsQuery,
  type UpdateCustomModelInput,
} from "../wire/custom-model.js";

/** API.md §1.5: the substring the server uses for a duplicate userProvidedId. */
const DUPLICATE_USER_PROVIDED_ID = "Cannot create a custom model with a user provided ID";

export interface CreatedModel {
  model: CustomModel;
  /** True when a model with this userProvidedId already existed and was returned instead. */
  existed: boolean;
}

/** API.md §1: custom models. */
export function customModels(ctx: ResourceContext) {
  const { http } = ctx;
  const listQuery = (query: ListCustomModelsQuery = {}) =>
    checkInput(ListCustomModelsQuerySchema, query, "custom model list query");
  const self = {
    async listPage(query?: ListCustomModelsQuery, signal?: AbortSignal): Promise<Page<CustomModel>> {
      return await fetchPage(http, "customModels/", listQuery(query), CustomModelSchema, signal);
    },
    async *listAll(
      query?: ListCustomModelsQuery,
      signal?: AbortSignal,
    ): AsyncGenerator<CustomModel, void, undefined> {
      yield* paginate(http, "customModels/", listQuery(query), CustomModelSchema, signal);
    },
    async get(id: string, signal?: AbortSignal): Promise<CustomModel> {
      return await http.json({ method: "GET", path: `customModels/${seg(id)}/`, signal }, CustomModelSchema);
    },
    /** Models carry no server-side filter for userProvidedId, so this pages through all of them. */
    async findByUserProvidedId(
      userProvidedId: string,
      signal?: AbortSignal,
    ): Promise<CustomModel | undefined> {
      for await (const model of self.listAll({}, signal)) {
        if (model.userProvidedId === userProvidedId) return model;
      }
      return undefined;
    },
    /**
     * Idempotent create (DESIGN §4): on the duplicate-userProvidedId 422 the existing model is
     * fetched and returned with `existed: true`, so a re-run after a crash converges.
     */
    async create(input: CreateCustomModelInput, signal?: AbortSignal): Promise<CreatedModel> {
      const body = checkInput(CreateCustomModelSchema, input, "custom model");
      try {
        const model = await http.json(
          {
            method: "POST",
            path: "customModels/",
            json: { customModelType: "inference", ...body },
            signal,
            // A repeat is refused as a duplicate userProvidedId, which is answered below.
            idempotent: body.userProvidedId !== undefined,
          },
          CustomModelSchema,
        );
        return { model, existed: false };
      } catch (error) {
        const duplicate =
          error instanceof ApiError &&
          error.status === 422 &&
          (error.apiMessage ?? "").includes(DUPLICATE_USER_PROVIDED_ID) &&
          body.userProvidedId !== undefined;
        if (!duplicate || body.userProvidedId === undefined) throw error;
        const existing = await self.findByUserProvidedId(body.userProvidedId, signal);
        if (existing === undefined) throw error;
        return { model: existing, existed: true };
      }
    },
    async copy(id: string, signal?: AbortSignal): Promise<CustomModel> {
      return await http.json(
        { method: "POST", path: "customModels/fromCustomModel/", json: { customModelId: id }, signal },
        CustomModelSchema,
      );
    },
    async update(id: string, input: UpdateCustomModelInput, signal?: AbortSignal): Promise<CustomModel> {
      const body = checkInput(UpdateCustomModelSchema, input, "custom model update");
      return await http.json(
        { method: "PATCH", path: `customModels/${seg(id)}/`, json: body, signal, idempotent: true },
        CustomModelSchema,
      );
    },
    /**
     * Adoption (`drgitops import`): PATCH customModels/{id}/ takes any field of the create body,
     * `userProvidedId` included (API.md §1.2); one another model has is refused like a duplicate create.
     */
    async setUserProvidedId(id: string, userProvidedId: string, signal?: AbortSignal): Promise<CustomModel> {
      const body = checkInput(
        CreateCustomModelSchema.shape.userProvidedId.unwrap(),
        userProvidedId,
        "userProvidedId",
      );
      return await http.json(
        {
          method: "PATCH",
          path: `customModels/${seg(id)}/`,
          json: { userProvidedId: body },
          signal,
          idempotent: true,
        },
        CustomModelSchema,
      );
    },
    async delete(id: string, signal?: AbortSignal): Promise<void> {
      await http.send({ method: "DELETE", path: `customModels/${seg(id)}/`, signal });
    },
    /** Streams the latest version's zip to `destPath`. */
    async downloadLatest(id: string, destPath: string, signal?: AbortSignal): Promise<{ bytes: number }> {
      return await http.download(
        { method: "GET", path: `customModels/${seg(id)}/download/`, signal },
        destPath,
      );
    },
    /** API.md §6.1: model-level training data; waits for the job and returns the updated model. */
    async assignTrainingData(
      id: string,
      input: AssignTrainingDataInput,
      wait: WaitOptions = {},
    ): Promise<CustomModel> {
      const body = checkInput(AssignTrainingDataSchema, input, "training data assignment");
      return await runJob(
        ctx,
        { method: "PATCH", path: `customModels/${seg(id)}/trainingData/`, json: body },
        wait,
        CustomModelSchema,
        () => self.get(id, wait.signal),
      );
    },
  };
  return self;
}
