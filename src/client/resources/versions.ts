import { posix } from "node:path";
import type { ResourceContext } from "../context.js";
import { checkInput, seg, uploadOptions, type UploadOptions } from "../context.js";
import { ApiError } from "../errors.js";
import { jsonField, type FormPart } from "../multipart.js";
import { fetchPage, paginate } from "../paginate.js";
import { runJob, type WaitOptions } from "../waiters.js";
import type { Page } from "../wire/common.js";
import {
  CreateVersionFromPreviousSchema,
  CreateVersionSchema,
  CustomModelVersionSchema,
  normaliseFilePath,
  UpdateVersionSchema,
  VersionWithTrainingDataSchema,
  type CreateVersionFromPreviousInput,
  type CreateVersionInput,
  type CustomModelVersion,
  type UpdateVersionInput,
  type VersionWithTrainingDataInput,
} from "../wire/version.js";

type CheckedVersion = ReturnType<typeof CreateVersionSchema.parse> & { filesToDelete?: string[] };

/**
 * API.md §2.2 multipart, in the order real clients send it: scalar and JSON-string fields first,
 * then repeated `filesToDelete`, then each `file` part immediately followed by its `filePath`
 * (the server pairs a filePath with the nearest earlier unpaired file).
 */
export function versionFormParts(input: CheckedVersion): FormPart[] {
  const parts: FormPart[] = [{ name: "isMajorUpdate", value: String(input.isMajorUpdate ?? true) }];
  const scalar = (name: string, value: string | number | boolean | undefined) => {
    if (value !== undefined) parts.push({ name, value: String(value) });
  };
  scalar("baseEnvironmentId", input.baseEnvironmentId);
  scalar("baseEnvironmentVersionId", input.baseEnvironmentVersionId);
  scalar("networkEgressPolicy", input.networkEgressPolicy);
  scalar("maximumMemory", input.maximumMemory);
  scalar("replicas", input.replicas);
  scalar("resourceBundleId", input.resourceBundleId);
  scalar("keepTrainingHoldoutData", input.keepTrainingHoldoutData);
  if (input.requiredMetadataValues)
    parts.push(jsonField("requiredMetadataValues", input.requiredMetadataValues));
  if (input.trainingData) parts.push(jsonField("trainingData", input.trainingData));
  if (input.holdoutData) parts.push(jsonField("holdoutData", input.holdoutData));
  if (input.runtimeParameterValues)
    parts.push(jsonField("runtimeParameterValues", input.runtimeParameterValues));
  if (input.gitModelVersion) parts.push(jsonField("gitModelVersion", input.gitModelVersion));
  for (const id of input.filesToDelete ?? []) parts.push({ name: "filesToDelete", value: id });
  for (const file of input.files) {
    const filePath = normaliseFilePath(file.filePath);
    parts.push({ name: "file", file: file.absPath, filename: posix.basename(filePath) });
    parts.push({ name: "filePath", value: filePath });
  }
  return parts;
}

/** API.md §2: versions of one custom model. */
export function versions(ctx: ResourceContext) {
  const { http } = ctx;
  const base = (modelId: string) => `customModels/${seg(modelId)}/versions/`;
  const self = {
    async listPage(
      modelId: string,
      query: { mainBranchCommitSha?: string; offset?: number; limit?: number } = {},
      signal?: AbortSignal,
    ): Promise<Page<CustomModelVersion>> {
      return await fetchPage(http, base(modelId), query, CustomModelVersionSchema, signal);
    },
    async *listAll(
      modelId: string,
      query: { mainBranchCommitSha?: string } = {},
      signal?: AbortSignal,
    ): AsyncGenerator<CustomModelVersion, void, undefined> {
      yield* paginate(http, base(modelId), query, CustomModelVersionSchema, signal);
    },
    async get(modelId: string, versionId: string, signal?: AbortSignal): Promise<CustomModelVersion> {
      return await http.json(
        { method: "GET", path: `${base(modelId)}${seg(versionId)}/`, signal },
        CustomModelVersionSchema,
      );
    },
    /** POST versions/: a version holding exactly `files`. */
    async createClean(
      modelId: string,
      input: CreateVersionInput,
      options?: AbortSignal | UploadOptions,
    ): Promise<CustomModelVersion> {
      const parts = versionFormParts(checkInput(CreateVersionSchema, input, "version"));
      return await http.json(
        { method: "POST", path: base(modelId), form: parts, ...uploadOptions(options) },
        CustomModelVersionSchema,
      );
    },
    /**
     * PATCH versions/: starts from the latest version; `files` are added or overwrite by path and
     * `filesToDelete` (item ids) are dropped. Send isMajorUpdate=true when the latest is frozen.
     */
    async createFromPrevious(
      modelId: string,
      input: CreateVersionFromPreviousInput,
      options?: AbortSignal | UploadOptions,
    ): Promise<CustomModelVersion> {
      const parts = versionFormParts(checkInput(CreateVersionFromPreviousSchema, input, "version"));
      return await http.json(
        { method: "PATCH", path: base(modelId), form: parts, ...uploadOptions(options) },
        CustomModelVersionSchema,
      );
    },
    /** PATCH versions/{vid}/: description, required metadata, gitModelVersion in place. */
    async update(
      modelId: string,
      versionId: string,
      input: UpdateVersionInput,
      signal?: AbortSignal,
    ): Promise<CustomModelVersion> {
      const body = checkInput(UpdateVersionSchema, input, "version update");
      return await http.json(
        { method: "PATCH", path: `${base(modelId)}${seg(versionId)}/`, json: body, signal, idempotent: true },
        CustomModelVersionSchema,
      );
    },
    async download(
      modelId: string,
      versionId: string,
      destPath: string,
      signal?: AbortSignal,
    ): Promise<{ bytes: number }> {
      return await http.download(
        { method: "GET", path: `${base(modelId)}${seg(versionId)}/download/`, signal },
        destPath,
      );
    },
    /** API.md §6.2 (2): a new version with training data; waits and returns that version. */
    async createWithTrainingData(
      modelId: string,
      input: VersionWithTrainingDataInput,
      wait: WaitOptions = {},
    ): Promise<CustomModelVersion> {
      const body = checkInput(VersionWithTrainingDataSchema, input, "training data");
      return await runJob(
        ctx,
        { method: "PATCH", path: `${base(modelId)}withTrainingData/`, json: body },
        wait,
        CustomModelVersionSchema,
        async (response) => {
          const latest = await self.listPage(modelId, { limit: 1 }, wait.signal);
          const [first] = latest.data;
          if (first === undefined) {
            throw new ApiError(
              "invalid-response",
              `Model ${modelId} has no versions after the training data job`,
              { method: "GET", url: response.url },
            );
          }
          return first;
        },
      );
    },
  };
  return self;
}
