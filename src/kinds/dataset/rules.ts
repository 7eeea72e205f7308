import { isInvalid, reporter, type KindRule } from "../../spec/rules/context.js";
import type { PartialDatasetManifest } from "./schema.js";

/** Exactly one of spec.file / spec.id (the file itself is judged as a local path). */
const oneSource: KindRule<PartialDatasetManifest> = (entry, ctx) => {
  const spec = entry.manifest.spec;
  const judged = !isInvalid(entry, ["spec", "file"]) && !isInvalid(entry, ["spec", "id"]);
  if (judged && (spec.file === undefined) === (spec.id === undefined)) {
    reporter(
      ctx,
      entry,
    )({
      code: "dataset-source",
      path: spec.file === undefined ? ["spec"] : ["spec", "id"],
      message:
        "a Dataset needs exactly one of spec.file (a local file to upload) or spec.id (an existing catalog dataset)",
    });
  }
};

export const datasetRules: readonly KindRule<PartialDatasetManifest>[] = [oneSource];
