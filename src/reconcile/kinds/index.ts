import { datasetKind } from "./dataset.js";
import { environmentKind } from "./environment.js";
import type { AnyKind } from "./kind.js";
import { modelKind } from "./model.js";

/** Planning order: a kind may use what the kinds before it resolved (models need datasets and environments). */
export const kinds: readonly AnyKind[] = [datasetKind, environmentKind, modelKind];
