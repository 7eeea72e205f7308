import { TargetTypeSchema } from "../../../client/index.js";
import { parseDescription } from "../../trailer.js";
import { produce } from "../context.js";
import { on } from "../registry.js";
import { retrySafe } from "./retry.js";

/**
 * POST customModels/ with userProvidedId = key. The server refuses a second model with that id, and
 * the client then returns the existing one: a create repeated after a crash converges.
 */
export const createModel = on("createModel", async ({ action, context, signal, task }) => {
  const { body } = action;
  const { model, existed } = await retrySafe(
    () =>
      context.client.customModels.create(
        { ...body, targetType: TargetTypeSchema.parse(body.targetType) },
        signal,
      ),
    signal,
  );
  produce(context, task.id, { modelId: model.id });
  return existed ? `already existed as ${model.id}` : `model ${model.id}`;
});

/** PATCH customModels/{id}/ with only the changed managed fields. */
export const updateModel = on("updateModel", async ({ action, context, signal, task }) => {
  await retrySafe(() => context.client.customModels.update(action.modelId, action.patch, signal), signal);
  produce(context, task.id, { modelId: action.modelId });
  return `updated ${Object.keys(action.patch).join(", ")}`;
});

/** Re-checks protection and deployments right before deleting: the plan may be old. */
export const deleteModel = on("deleteModel", async ({ action, context, signal }) => {
  const model = await context.client.customModels.get(action.modelId, signal);
  if ((model.deploymentsCount ?? 0) > 0)
    throw new Error(`model ${action.modelId} has ${model.deploymentsCount} deployments; not deleted`);
  if (parseDescription(model.description).trailer?.protected)
    throw new Error(`model ${action.modelId} is protected (Drgitops-Protected: true); not deleted`);
  await context.client.customModels.delete(action.modelId, signal);
  return `deleted ${action.modelId}`;
});
