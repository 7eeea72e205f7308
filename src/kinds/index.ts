import { z } from "zod";
import { customModelKind } from "./custom-model/index.js";
import { datasetKind } from "./dataset/index.js";
import { deploymentKind } from "./deployment/index.js";
import { executionEnvironmentKind } from "./execution-environment/index.js";
import type { AnyKind, Kind } from "./kind.js";
import { registeredModelKind } from "./registered-model/index.js";

/**
 * The registry: every resource kind, in planning order (a kind may use what the kinds before it
 * resolved: models need datasets and environments). Adding a kind is one folder and one line here.
 */
const registry = [
  datasetKind,
  executionEnvironmentKind,
  customModelKind,
  registeredModelKind,
  deploymentKind,
] as const;

/** The registry as shared code loops over it: kinds of every shape. */
export const kinds: readonly AnyKind[] = registry;

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- only the action type is extracted
type ActionOfKind<K> = K extends Kind<any, any, any, any, any, infer A> ? A : never;

/** Every action of every kind (a discriminated union on `type`). */
export type Action = ActionOfKind<(typeof registry)[number]>;
export type ActionType = Action["type"];
export type ActionOf<T extends ActionType> = Extract<Action, { type: T }>;

/**
 * The kinds in the order summaries list them: those that depend on others first (models, then what
 * they run on and learn from), which is the registry reversed.
 */
export const displayOrder: readonly AnyKind[] = [...kinds].reverse();

/** The kind of a manifest `kind:` name. */
export function kindNamed(name: string): AnyKind | undefined {
  return kinds.find((k) => k.name === name);
}

/** The kind whose action this is. */
export function kindOfAction(type: string): AnyKind | undefined {
  return kinds.find((k) => Object.hasOwn(k.render.actions, type));
}

/** Every action type of every kind, in registry order. */
export const ACTION_TYPES: readonly string[] = kinds.flatMap((k) => Object.keys(k.render.actions));

/** The union of every kind's action schemas, discriminated by `type`: the plan file's actions. */
export const ActionSchema = z.discriminatedUnion(
  "type",
  kinds.flatMap((k) => k.actions) as unknown as [z.ZodObject<{ type: z.ZodLiteral<string> }>],
) as unknown as z.ZodType<Action>;

/** Manifests of every kind, for the JSON Schema editors use. */
export const ManifestSchema = z.discriminatedUnion(
  "kind",
  displayOrder.map((k) => k.schema) as unknown as [z.ZodObject<{ kind: z.ZodLiteral<string> }>],
);
