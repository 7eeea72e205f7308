import type { Action } from "../../plan-file.js";
import type { ApplyContext } from "../context.js";
import type { Handler } from "../executor.js";
import type { ActionType } from "../../plan-file.js";
import { uploadDataset } from "./dataset.js";
import { buildDependencies } from "./dependencies.js";
import { buildEnvironmentVersion, createEnvironment, updateEnvironment } from "./environment.js";
import { createModel, deleteModel, updateModel } from "./model.js";
import { runTest } from "./test.js";
import { annotateVersion, createVersion } from "./version.js";

/** One handler per action type; the executor dispatches on the type and never branches on it. */
export const applyHandlers: Readonly<Record<ActionType, Handler<Action, ApplyContext>>> = {
  createEnvironment,
  updateEnvironment,
  buildEnvironmentVersion,
  uploadDataset,
  createModel,
  updateModel,
  createVersion,
  annotateVersion,
  buildDependencies,
  runTest,
  deleteModel,
};
