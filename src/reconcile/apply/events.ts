import { z } from "zod";

/** Why an action did not run. `stale`: its object moved since the saved plan was made. */
export const SkipReason = z.enum(["dependency-failed", "stale", "aborted"]);
export type SkipReason = z.infer<typeof SkipReason>;

const base = {
  /** Action id, unique within a plan. */
  id: z.string(),
  /** The resource the action belongs to, e.g. `acme/models/fraud-detector`. */
  key: z.string(),
  /** Action type, e.g. `createVersion`. */
  action: z.string(),
};

/** Typed events of an apply run; renderers subscribe, the executor never prints. */
export const ApplyEvent = z.discriminatedUnion("type", [
  z.object({ type: z.literal("action-started"), ...base }),
  z.object({ type: z.literal("action-progress"), ...base, message: z.string() }),
  z.object({ type: z.literal("action-succeeded"), ...base, message: z.string().optional() }),
  z.object({ type: z.literal("action-failed"), ...base, error: z.string() }),
  z.object({
    type: z.literal("action-skipped"),
    ...base,
    reason: SkipReason,
    /** The failed or stale action that caused the skip, or the staleness explanation. */
    detail: z.string(),
  }),
]);
export type ApplyEvent = z.infer<typeof ApplyEvent>;
export type ApplyEventType = ApplyEvent["type"];

/** Final state of one action. */
export const ActionOutcome = z.enum(["succeeded", "failed", "skipped", "stale"]);
export type ActionOutcome = z.infer<typeof ActionOutcome>;
