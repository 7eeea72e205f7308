import { z } from "zod";

/** Why an action did not run. `stale`: its object moved since the plan was made. */
export const SkipReasonSchema = z.enum(["dependency-failed", "dependency-gated", "stale", "aborted"]);
export type SkipReason = z.infer<typeof SkipReasonSchema>;

const base = {
  /** Action id, unique within a plan. */
  id: z.string(),
  /** The resource the action belongs to, e.g. `acme/models/fraud-detector`. */
  key: z.string(),
  /** Action type, e.g. `createVersion`. */
  action: z.string(),
  /** When it happened (ISO 8601). */
  at: z.string(),
};

/**
 * The end of the log of what failed (a test, a dependency build), redacted and cut, so CI shows why
 * without anyone opening DataRobot.
 */
export const FailureLogSchema = z.object({
  /** What the lines come from: `test log`, `dependency build log`. */
  source: z.string(),
  /** The last lines, oldest first. */
  lines: z.array(z.string()),
  /** How many earlier lines were left out. */
  omitted: z.number().int().nonnegative(),
});
export type FailureLog = z.infer<typeof FailureLogSchema>;

/** Typed events of an apply run; views subscribe, the executor never prints. */
export const ApplyEventSchema = z.discriminatedUnion("type", [
  z.object({ type: z.literal("action-started"), ...base }),
  z.object({ type: z.literal("action-progress"), ...base, message: z.string(), elapsedMs: z.number() }),
  z.object({
    type: z.literal("action-succeeded"),
    ...base,
    message: z.string().optional(),
    durationMs: z.number(),
  }),
  z.object({
    type: z.literal("action-failed"),
    ...base,
    error: z.string(),
    /** A test gate that did not pass (exit 7), rather than an error (exit 4). */
    gate: z.boolean(),
    durationMs: z.number(),
    log: FailureLogSchema.optional(),
  }),
  z.object({
    type: z.literal("action-skipped"),
    ...base,
    reason: SkipReasonSchema,
    /** The failed or stale action that caused the skip, or the staleness explanation. */
    detail: z.string(),
  }),
]);
export type ApplyEvent = z.infer<typeof ApplyEventSchema>;
export type ApplyEventType = ApplyEvent["type"];

/** Final state of one action: a handler's outcome, or why it did not run. */
export const TaskOutcomeSchema = z.enum(["succeeded", "failed", "gate-failed", "skipped"]);
export type TaskOutcome = z.infer<typeof TaskOutcomeSchema>;
