import type { ResourceContext } from "../context.js";
import { checkInput, seg } from "../context.js";
import { fetchPage, paginate } from "../paginate.js";
import { runJob, type WaitOptions } from "../waiters.js";
import type { Page } from "../wire/common.js";
import {
  CreateModelPackageSchema,
  ListModelPackagesQuerySchema,
  ModelPackageSchema,
  type CreateModelPackageInput,
  type ListModelPackagesQuery,
  type ModelPackage,
} from "../wire/deployment.js";

/** API.md §13.2: model packages (registered model versions) made from custom model versions. */
export function modelPackages(ctx: ResourceContext) {
  const { http } = ctx;
  const listQuery = (query: ListModelPackagesQuery = {}) =>
    checkInput(ListModelPackagesQuerySchema, query, "model package list query");
  const self = {
    /**
     * Registers a version (which freezes it) and waits for the package build: 201 + Location, then
     * the built package. A taken `registeredModelName` throws (409 here; see isNameTaken).
     */
    async create(input: CreateModelPackageInput, wait: WaitOptions = {}): Promise<ModelPackage> {
      const body = checkInput(CreateModelPackageSchema, input, "model package");
      return await runJob(
        ctx,
        { method: "POST", path: "modelPackages/fromCustomModelVersion/", json: body },
        wait,
        ModelPackageSchema,
        // The 201 body is the package; without a 303 read it again for its final build status.
        (response) => self.get(http.parse("POST", response, ModelPackageSchema).id, wait.signal),
      );
    },
    async get(id: string, signal?: AbortSignal): Promise<ModelPackage> {
      return await http.json(
        { method: "GET", path: `modelPackages/${seg(id)}/`, signal },
        ModelPackageSchema,
      );
    },
    /** `modelId` is a custom model version id (PY lists by it before deploying). */
    async listPage(query?: ListModelPackagesQuery, signal?: AbortSignal): Promise<Page<ModelPackage>> {
      return await fetchPage(http, "modelPackages/", listQuery(query), ModelPackageSchema, signal);
    },
    async *listAll(
      query?: ListModelPackagesQuery,
      signal?: AbortSignal,
    ): AsyncGenerator<ModelPackage, void, undefined> {
      yield* paginate(http, "modelPackages/", listQuery(query), ModelPackageSchema, signal);
    },
  };
  return self;
}
