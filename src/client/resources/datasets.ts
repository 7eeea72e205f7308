import { basename } from "node:path";
import type { ResourceContext } from "../context.js";
import { checkInput, seg, type UploadOptions } from "../context.js";
import { ApiError } from "../errors.js";
import type { FormPart } from "../multipart.js";
import { fetchPage, paginate } from "../paginate.js";
import { runJob, type WaitOptions } from "../waiters.js";
import type { Page } from "../wire/common.js";
import {
  DatasetSchema,
  DatasetUploadAcceptedSchema,
  ListDatasetsQuerySchema,
  UploadDatasetSchema,
  type Dataset,
  type ListDatasetsQuery,
  type UploadDatasetInput,
} from "../wire/dataset.js";

/** API.md §8: AI catalog datasets. */
export function datasets(ctx: ResourceContext) {
  const { http } = ctx;
  const self = {
    /**
     * Streams a file to datasets/fromFile/, waits for ingestion (303 to the dataset) and returns the
     * dataset. An ingestion error throws "job-failed" with the server's reason.
     */
    async upload(
      input: UploadDatasetInput,
      wait: WaitOptions & Pick<UploadOptions, "onUploadProgress"> = {},
    ): Promise<Dataset> {
      const body = checkInput(UploadDatasetSchema, input, "dataset upload");
      const parts: FormPart[] = [
        { name: "file", file: body.filePath, filename: body.name ?? basename(body.filePath) },
        ...(body.categories ?? []).map((value) => ({ name: "categories", value })),
      ];
      return await runJob(
        ctx,
        {
          method: "POST",
          path: "datasets/fromFile/",
          form: parts,
          onUploadProgress: wait.onUploadProgress,
        },
        wait,
        DatasetSchema,
        async (response) => {
          // No redirect: fall back on the catalog id of the 202 body ([F] shape).
          const accepted = DatasetUploadAcceptedSchema.safeParse(JSON.parse(response.body || "{}"));
          const id = accepted.success ? accepted.data.catalogId : undefined;
          if (id === undefined) {
            throw new ApiError("invalid-response", `Dataset upload finished without naming the dataset`, {
              method: "POST",
              url: response.url,
            });
          }
          return await self.get(id, wait.signal);
        },
      );
    },
    async get(id: string, signal?: AbortSignal): Promise<Dataset> {
      return await http.json({ method: "GET", path: `datasets/${seg(id)}/`, signal }, DatasetSchema);
    },
    async listPage(query?: ListDatasetsQuery, signal?: AbortSignal): Promise<Page<Dataset>> {
      const q = checkInput(ListDatasetsQuerySchema, query ?? {}, "dataset list query");
      return await fetchPage(http, "datasets/", q, DatasetSchema, signal);
    },
    async *listAll(
      query?: ListDatasetsQuery,
      signal?: AbortSignal,
    ): AsyncGenerator<Dataset, void, undefined> {
      const q = checkInput(ListDatasetsQuerySchema, query ?? {}, "dataset list query");
      yield* paginate(http, "datasets/", q, DatasetSchema, signal);
    },
    async delete(id: string, signal?: AbortSignal): Promise<void> {
      await http.send({ method: "DELETE", path: `datasets/${seg(id)}/`, signal });
    },
  };
  return self;
}
