import { stat } from "node:fs/promises";
import { basename } from "node:path";
import type { ResourceContext } from "../context.js";
import { checkInput, seg, uploadOptions, type UploadOptions } from "../context.js";
import { DrgitopsError } from "../../errors.js";
import type { FormPart } from "../multipart.js";
import { fetchPage, paginate } from "../paginate.js";
import { poll, type WaitOptions } from "../waiters.js";
import type { Page } from "../wire/common.js";
import {
  BuildLogSchema,
  CreateEnvironmentVersionSchema,
  EnvironmentVersionSchema,
  type BuildLog,
  type CreateEnvironmentVersionInput,
  type EnvironmentVersion,
} from "../wire/environment.js";
import { zipFolderToTemp } from "../zip-folder.js";

const FINAL_BUILD = new Set(["success", "failed"]);

/** API.md §4.2: versions (image builds) of an execution environment. */
export function environmentVersions(ctx: ResourceContext) {
  const { http } = ctx;
  const base = (envId: string) => `executionEnvironments/${seg(envId)}/versions/`;
  const self = {
    /**
     * Uploads a docker context (a folder is zipped to a temp file first; an archive goes as is) or
     * registers an image URI. Returns the version as accepted; use waitForBuild for the outcome.
     */
    async create(
      envId: string,
      input: CreateEnvironmentVersionInput,
      options?: AbortSignal | UploadOptions,
    ): Promise<EnvironmentVersion> {
      const { signal, onUploadProgress } = uploadOptions(options);
      const body = checkInput(CreateEnvironmentVersionSchema, input, "environment version");
      const fields: FormPart[] = [];
      if (body.label !== undefined) fields.push({ name: "label", value: body.label });
      if (body.description !== undefined) fields.push({ name: "description", value: body.description });
      if (body.dockerImageUri !== undefined)
        fields.push({ name: "dockerImageUri", value: body.dockerImageUri });
      if (body.dockerContextPath === undefined) {
        const json = {
          dockerImageUri: body.dockerImageUri,
          label: body.label,
          description: body.description,
        };
        return await http.json({ method: "POST", path: base(envId), json, signal }, EnvironmentVersionSchema);
      }
      const contextPath = body.dockerContextPath;
      const info = await stat(contextPath).catch((error: unknown) => {
        throw new DrgitopsError(
          "upload-file-unreadable",
          `Docker context ${contextPath} cannot be read: ${(error as Error).message}`,
          { cause: error },
        );
      });
      const zipped = info.isDirectory() ? await zipFolderToTemp(contextPath) : undefined;
      try {
        const file = zipped?.path ?? contextPath;
        const filename = zipped ? "docker_context.zip" : basename(contextPath);
        const parts: FormPart[] = [...fields, { name: "docker_context", file, filename }];
        return await http.json(
          { method: "POST", path: base(envId), form: parts, signal, onUploadProgress },
          EnvironmentVersionSchema,
        );
      } finally {
        await zipped?.cleanup();
      }
    },
    async listPage(
      envId: string,
      query: { buildStatus?: string; offset?: number; limit?: number } = {},
      signal?: AbortSignal,
    ): Promise<Page<EnvironmentVersion>> {
      return await fetchPage(http, base(envId), query, EnvironmentVersionSchema, signal);
    },
    async *listAll(
      envId: string,
      query: { buildStatus?: string } = {},
      signal?: AbortSignal,
    ): AsyncGenerator<EnvironmentVersion, void, undefined> {
      yield* paginate(http, base(envId), query, EnvironmentVersionSchema, signal);
    },
    async get(envId: string, versionId: string, signal?: AbortSignal): Promise<EnvironmentVersion> {
      return await http.json(
        { method: "GET", path: `${base(envId)}${seg(versionId)}/`, signal },
        EnvironmentVersionSchema,
      );
    },
    /** Streams the uploaded docker context to `destPath`. */
    async download(
      envId: string,
      versionId: string,
      destPath: string,
      signal?: AbortSignal,
    ): Promise<{ bytes: number }> {
      return await http.download(
        { method: "GET", path: `${base(envId)}${seg(versionId)}/download/`, signal },
        destPath,
      );
    },
    async buildLog(envId: string, versionId: string, signal?: AbortSignal): Promise<BuildLog> {
      return await http.json(
        { method: "GET", path: `${base(envId)}${seg(versionId)}/buildLog/`, signal },
        BuildLogSchema,
      );
    },
    /** Polls until the build is success or failed; a failed build is returned, not thrown (read buildLog). */
    async waitForBuild(
      envId: string,
      versionId: string,
      wait: WaitOptions = {},
    ): Promise<EnvironmentVersion> {
      return await poll(
        `environment build ${versionId}`,
        async () => {
          const version = await self.get(envId, versionId, wait.signal);
          return FINAL_BUILD.has(version.buildStatus)
            ? { done: true, value: version }
            : { done: false, state: version.buildStatus };
        },
        wait,
        ctx.poll,
        ctx.sleep,
      );
    },
  };
  return self;
}
