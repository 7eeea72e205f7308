import { z } from "zod";

/** API.md §0.5: every list answers with this envelope; `next` is an absolute URL or null. */
export const pageSchema = <T extends z.ZodType>(item: T) =>
  z.object({
    count: z.number().int().nonnegative().optional(),
    totalCount: z.number().int().nonnegative().optional(),
    next: z.string().nullish(),
    previous: z.string().nullish(),
    data: z.array(item),
  });

/** A page of T as returned by `listPage()`. */
export interface Page<T> {
  count?: number | undefined;
  totalCount?: number | undefined;
  next?: string | null | undefined;
  previous?: string | null | undefined;
  data: T[];
}

/** API.md §0.6: error bodies; `errors` is a field -> reason map (values kept loose on purpose). */
export const ApiErrorBodySchema = z.object({
  message: z.string().optional(),
  errors: z.record(z.string(), z.unknown()).optional(),
});
export type ApiErrorBody = z.infer<typeof ApiErrorBodySchema>;

export const NetworkEgressPolicySchema = z.enum(["NONE", "PUBLIC", "DR_API_ACCESS"]);
export type NetworkEgressPolicy = z.infer<typeof NetworkEgressPolicySchema>;

/** API.md §1.2: provenance of a model or version; every key may be null. */
export const GitModelVersionSchema = z.object({
  refName: z.string().nullish(),
  commitUrl: z.string().nullish(),
  mainBranchCommitSha: z.string().nullish(),
  pullRequestCommitSha: z.string().nullish(),
});
export type GitModelVersion = z.infer<typeof GitModelVersionSchema>;

/** API.md §7: status object of an asynchronous job. */
export const StatusSchema = z.object({
  statusId: z.string().optional(),
  status: z.string(),
  message: z.string().nullish(),
  code: z.number().nullish(),
  description: z.string().nullish(),
  created: z.string().nullish(),
  type: z.string().nullish(),
});
export type Status = z.infer<typeof StatusSchema>;

/** API.md §0.8 */
export const ApiVersionSchema = z.object({
  major: z.number().int(),
  minor: z.number().int(),
  versionString: z.string(),
  releasedVersion: z.string().nullish(),
});
export type ApiVersion = z.infer<typeof ApiVersionSchema>;
