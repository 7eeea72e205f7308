import { isStillDeployed } from "../../client/index.js";
import { TargetTypeSchema } from "../../client/wire/custom-model.js";
import { handlerFor } from "../../reconcile/io.js";
import { parseDescription } from "../../reconcile/trailer.js";
import type { CreateModelAction, DeleteModelAction, UpdateModelAction } from "./actions.js";
import { modelFieldsToWire } from "./fields.js";

/**
 * POST customModels/ with userProvidedId = key. The server refuses a second model with that id, and
 * the client then returns the existing one: a create repeated after a crash converges.
 */
export const createModel = handlerFor<CreateModelAction>(
  "createModel",
  async ({ action, context, signal }) => {
    const { body } = action;
    const { model, existed } = await context.client.customModels.create(
      { ...modelFieldsToWire(body), targetType: TargetTypeSchema.parse(body.targetType) },
      signal,
    );
    return {
      status: "succeeded",
      message: existed ? `already existed as ${model.id}` : `model ${model.id}`,
      produced: { modelId: model.id },
    };
  },
);

/** PATCH customModels/{id}/ with only the changed managed fields. */
export const updateModel = handlerFor<UpdateModelAction>(
  "updateModel",
  async ({ action, context, signal }) => {
    await context.client.customModels.update(action.modelId, modelFieldsToWire(action.patch), signal);
    return {
      status: "succeeded",
      message: `updated ${Object.keys(action.patch).join(", ")}`,
      produced: { modelId: action.modelId },
    };
  },
);

/** Re-checks protection and deployments right before deleting: the plan may be old. */
export const deleteModel = handlerFor<DeleteModelAction>(
  "deleteModel",
  async ({ action, context, signal }) => {
    const model = await context.client.customModels.get(action.modelId, signal);
    if ((model.deploymentsCount ?? 0) > 0)
      return {
        status: "failed",
        message: `model ${action.modelId} has ${model.deploymentsCount} deployments; not deleted`,
      };
    if (parseDescription(model.description).trailer?.protected)
      return {
        status: "failed",
        message: `model ${action.modelId} is protected (Drgitops-Protected: true); not deleted`,
      };
    try {
      await context.client.customModels.delete(action.modelId, signal);
    } catch (error) {
      // API.md §13.10: a 409 is "still deployed" (a challenger counts there, not in deploymentsCount).
      if (!isStillDeployed(error)) throw error;
      return {
        status: "failed",
        message: `model ${action.modelId} is still used by a deployment (${error.apiMessage ?? "409"}); not deleted`,
      };
    }
    return { status: "succeeded", message: `deleted ${action.modelId}` };
  },
);
