import { z } from "zod";
import { Sha256HexSchema } from "../spec/digest.js";

/**
 * The shapes every kind's actions share (the plan is serialisable data, `formatVersion: 1`). Each
 * kind declares its own action schemas with `actionSchema`; the plan file's union is built from the
 * registry. Field changes are for display; an action's typed payload is what apply sends.
 */

/** One field's change, for display. Sensitive values are never held: only the fact they changed. */
export const FieldChangeSchema = z.discriminatedUnion("kind", [
  z.object({
    kind: z.literal("value"),
    path: z.string(),
    /** null: absent/unset. */
    before: z.unknown(),
    after: z.unknown(),
  }),
  z.object({ kind: z.literal("sensitive"), path: z.string() }),
  z.object({
    kind: z.literal("file"),
    path: z.string(),
    change: z.enum(["added", "modified", "removed"]),
    before: z.object({ sha256: Sha256HexSchema, size: z.number().int() }).nullable(),
    /** `localPath`: the file relative to the project root. */
    after: z.object({ sha256: Sha256HexSchema, size: z.number().int(), localPath: z.string() }).nullable(),
  }),
]);
export type FieldChange = z.infer<typeof FieldChangeSchema>;

/** The live state an action was planned against; apply refuses the action when it moved (exit 5). */
export const ExpectedSchema = z.object({
  /** Id of the live object the action writes to. */
  id: z.string(),
  latestVersionId: z.string().nullable(),
  /** The object's `updated`, when the API has one. */
  updated: z.string().nullable(),
});
export type Expected = z.infer<typeof ExpectedSchema>;

/** An id known now, or produced by an earlier action of this plan (its id in `fromAction`). */
export const PendingIdSchema = z.union([
  z.strictObject({ id: z.string().min(1) }),
  z.strictObject({ fromAction: z.string().min(1) }),
]);
export type PendingId = z.infer<typeof PendingIdSchema>;

const actionBase = {
  id: z.string().min(1),
  key: z.string().min(1),
  reasons: z.array(z.string()),
  changes: z.array(FieldChangeSchema),
  dependsOn: z.array(z.string()),
  expected: ExpectedSchema.nullable(),
};

/** What the engine knows of any action: its identity, why, what changes, what it waits for. */
export interface BaseAction {
  type: string;
  id: string;
  key: string;
  reasons: string[];
  changes: FieldChange[];
  dependsOn: string[];
  expected: Expected | null;
}

/** An action schema: the shared fields plus the kind's payload. */
export function actionSchema<T extends string, S extends z.ZodRawShape>(type: T, payload: S) {
  return z.object({ type: z.literal(type), ...actionBase, ...payload });
}

/** Deterministic, readable action ids: one action of a type per key. */
export function actionId(type: string, key: string): string {
  return `${type}:${key}`;
}

export type Effect = "create" | "change" | "delete";

/** How an action reads in a plan (each kind's render.ts). */
export interface ActionText {
  effect: Effect;
  /** The verb phrase, e.g. "create version (from previous)". */
  verb(action: BaseAction): string;
  /** Counted in the plan's last line as "N <noun>s", e.g. "new version". */
  noun?: string;
  /** What the action is doing while it runs, in plain words ("building dependencies"): apply's live view. */
  doing?: string;
}

/** A section a kind adds to the human and markdown plans (e.g. what goes live), from the plan's actions. */
export interface PlanSection {
  title: string;
  lines: string[];
}

/** A change made outside drgitops: reported apart; the plan's actions still restore the manifest. */
export const DriftItemSchema = z.object({
  key: z.string(),
  /** What moved, in the kind's words: "model", "version", "environment". */
  subject: z.string(),
  summary: z.string(),
  changes: z.array(FieldChangeSchema),
});
export type DriftItem = z.infer<typeof DriftItemSchema>;

/** Outcome of a finished custom model test (API.md §3.2), `in_progress` excluded. */
export const TestOutcomeSchema = z.enum(["succeeded", "warning", "failed", "not_tested"]);
export type TestOutcome = z.infer<typeof TestOutcomeSchema>;

/** A latest test that failed for the current configuration: apply exits 7 until something changes. */
export const GateItemSchema = z.object({
  key: z.string(),
  modelId: z.string(),
  versionId: z.string(),
  versionLabel: z.string(),
  testId: z.string().nullable(),
  outcome: TestOutcomeSchema,
  message: z.string(),
});
export type GateItem = z.infer<typeof GateItemSchema>;

/** Something the plan will not do. `blocking`: apply must refuse the whole plan. */
export const RefusalSchema = z.object({
  key: z.string().nullable(),
  reason: z.string(),
  blocking: z.boolean(),
});
export type Refusal = z.infer<typeof RefusalSchema>;
