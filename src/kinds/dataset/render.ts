import type { ActionText } from "../../reconcile/action.js";

export const datasetRender: { actions: Record<string, ActionText>; noun: string } = {
  noun: "dataset",
  actions: {
    uploadDataset: { effect: "create", verb: () => "upload dataset", doing: "uploading the dataset" },
  },
};
