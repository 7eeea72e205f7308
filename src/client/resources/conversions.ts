import type { ResourceContext } from "../context.js";
import { seg } from "../context.js";
import { fetchPage, paginate } from "../paginate.js";
import type { Page } from "../wire/common.js";
import { ConversionCreatedSchema, ConversionSchema, type Conversion } from "../wire/version.js";

/** API.md §2.1: conversions of SAS main programs in a version. */
export function conversions(ctx: ResourceContext) {
  const { http } = ctx;
  const base = (modelId: string, versionId: string) =>
    `customModels/${seg(modelId)}/versions/${seg(versionId)}/conversions/`;
  const self = {
    /** Starts a conversion of the item `mainProgramItemId` and returns its record. */
    async run(
      modelId: string,
      versionId: string,
      mainProgramItemId: string,
      signal?: AbortSignal,
    ): Promise<Conversion> {
      const { conversionId } = await http.json(
        { method: "POST", path: base(modelId, versionId), json: { mainProgramItemId }, signal },
        ConversionCreatedSchema,
      );
      return await self.get(modelId, versionId, conversionId, signal);
    },
    async stop(
      modelId: string,
      versionId: string,
      conversionId: string,
      signal?: AbortSignal,
    ): Promise<void> {
      await http.send({ method: "DELETE", path: `${base(modelId, versionId)}${seg(conversionId)}/`, signal });
    },
    async get(
      modelId: string,
      versionId: string,
      conversionId: string,
      signal?: AbortSignal,
    ): Promise<Conversion> {
      return await http.json(
        { method: "GET", path: `${base(modelId, versionId)}${seg(conversionId)}/`, signal },
        ConversionSchema,
      );
    },
    /** The latest conversion, or undefined when none ran. */
    async latest(modelId: string, versionId: string, signal?: AbortSignal): Promise<Conversion | undefined> {
      const page = await self.listPage(modelId, versionId, { isLatest: true }, signal);
      return page.data[0];
    },
    async listPage(
      modelId: string,
      versionId: string,
      query: { isLatest?: boolean; offset?: number; limit?: number } = {},
      signal?: AbortSignal,
    ): Promise<Page<Conversion>> {
      return await fetchPage(http, base(modelId, versionId), query, ConversionSchema, signal);
    },
    async *listAll(
      modelId: string,
      versionId: string,
      signal?: AbortSignal,
    ): AsyncGenerator<Conversion, void, undefined> {
      yield* paginate(http, base(modelId, versionId), undefined, ConversionSchema, signal);
    },
  };
  return self;
}
