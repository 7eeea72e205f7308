import { z } from "zod";
import { NetworkEgressPolicySchema } from "./common.js";

/** API.md §3.1: the checks a custom model test can run. */
export const TestCheckNameSchema = z.enum([
  "errorCheck",
  "longRunningService",
  "nullValueImputation",
  "sideEffects",
  "predictionVerificationCheck",
  "performanceCheck",
  "stabilityCheck",
]);
export const CheckModeSchema = z.enum(["fail", "warn", "skip"]);

/** API.md §3.2 */
export const OverallStatusSchema = z.enum(["in_progress", "failed", "warning", "succeeded", "not_tested"]);
export type OverallStatus = z.infer<typeof OverallStatusSchema>;

/** API.md §3.3. Statuses are read as strings so a new value never breaks a listing. */
export const CustomModelTestSchema = z.object({
  id: z.string().min(1),
  customModel: z.object({ id: z.string(), name: z.string().nullish() }).nullish(),
  customModelVersion: z.object({ id: z.string(), label: z.string().nullish() }).nullish(),
  customModelImageId: z.string().nullish(),
  imageType: z.string().nullish(),
  overallStatus: z.string(),
  testingStatus: z.record(z.string(), z.object({ status: z.string(), message: z.string().nullish() })),
  createdBy: z.string().nullish(),
  created: z.string().nullish(),
  completedAt: z.string().nullish(),
  datasetId: z.string().nullish(),
  datasetVersionId: z.string().nullish(),
  networkEgressPolicy: z.string().nullish(),
  maximumMemory: z.number().nullish(),
  replicas: z.number().nullish(),
  configuration: z.record(z.string(), z.string()).nullish(),
  parameters: z.record(z.string(), z.unknown()).nullish(),
});
export type CustomModelTest = z.infer<typeof CustomModelTestSchema>;

/** API.md §3.1: POST customModelTests/. */
export const CreateTestSchema = z.object({
  customModelId: z.string().min(1),
  customModelVersionId: z.string().min(1),
  datasetId: z.string().min(1).optional(),
  configuration: z.partialRecord(TestCheckNameSchema, CheckModeSchema).optional(),
  parameters: z
    .object({
      predictionVerificationCheck: z
        .object({
          datasetId: z.string().optional(),
          predictionsColumn: z.string().optional(),
          matchingRate: z.number().optional(),
          comparisonPrecision: z.number().optional(),
        })
        .optional(),
      performanceCheck: z
        .object({
          maxResponseTime: z.number().optional(),
          maxExecutionTime: z.number().optional(),
          numParallelUsers: z.number().int().optional(),
        })
        .optional(),
      stabilityCheck: z
        .object({
          numPredictions: z.number().int().optional(),
          passingRate: z.number().optional(),
          numParallelUsers: z.number().int().optional(),
          minPayloadSize: z.number().int().optional(),
          maxPayloadSize: z.number().int().optional(),
        })
        .optional(),
    })
    .optional(),
  environmentId: z.string().optional(),
  environmentVersionId: z.string().optional(),
  networkEgressPolicy: NetworkEgressPolicySchema.optional(),
  maximumMemory: z.number().int().positive().optional(),
  replicas: z.number().int().min(1).optional(),
});
export type CreateTestInput = z.infer<typeof CreateTestSchema>;
