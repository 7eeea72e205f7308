import { hint } from "../did-you-mean.js";
import type { FieldPath } from "../issue.js";
import type { DatasetRef } from "../schema/common.js";
import type { Entry, Rule } from "./context.js";
import { reporter } from "./context.js";

/** Two documents of the same kind may not claim the same key: one of them would silently win. */
export const duplicateKeys: Rule = (ctx) => {
  const groups: readonly (readonly Entry<{ kind: string }, unknown>[])[] = [
    ctx.models,
    ctx.environments,
    ctx.datasets,
  ];
  for (const entries of groups) {
    const first = new Map<string, Entry<{ kind: string }, unknown>>();
    for (const entry of entries) {
      const earlier = first.get(entry.key);
      if (earlier === undefined) {
        first.set(entry.key, entry);
        continue;
      }
      reporter(
        ctx,
        entry,
      )({
        code: "duplicate-key",
        path: ["metadata", "name"],
        message: `${entry.manifest.kind} "${entry.name}" is already defined at ${earlier.doc.file}:${earlier.doc.line}; names must be unique per kind`,
      });
    }
  }
};

/** Every `{ref: name}` must name a manifest of the right kind among those loaded. */
export const danglingRefs: Rule = (ctx) => {
  // A document too broken to judge still exists: a ref to it is not dangling.
  const unjudged = (kind: string): string[] =>
    (ctx.unjudged ?? []).filter((u) => u.kind === kind).map((u) => u.name);
  const envNames = [...ctx.environments.map((e) => e.name), ...unjudged("ExecutionEnvironment")];
  const datasetNames = [...ctx.datasets.map((d) => d.name), ...unjudged("Dataset")];
  for (const model of ctx.models) {
    const report = reporter(ctx, model);
    const spec = model.manifest.spec;
    const env = spec.environment;
    if (env && "ref" in env && !envNames.includes(env.ref)) {
      report({
        code: "dangling-ref",
        path: ["spec", "environment", "ref"],
        message: `no ExecutionEnvironment named "${env.ref}" among the loaded manifests${hint(env.ref, envNames)}`,
      });
    }
    const datasetRefs: [DatasetRef | undefined, FieldPath][] = [
      [spec.trainingData?.dataset, ["spec", "trainingData", "dataset", "ref"]],
      [spec.holdoutData?.dataset, ["spec", "holdoutData", "dataset", "ref"]],
      [spec.test?.dataset, ["spec", "test", "dataset", "ref"]],
      [
        spec.test?.checks?.predictionVerification?.dataset,
        ["spec", "test", "checks", "predictionVerification", "dataset", "ref"],
      ],
    ];
    for (const [ref, path] of datasetRefs) {
      if (ref && "ref" in ref && !datasetNames.includes(ref.ref)) {
        report({
          code: "dangling-ref",
          path,
          message: `no Dataset named "${ref.ref}" among the loaded manifests${hint(ref.ref, datasetNames)}`,
        });
      }
    }
  }
};
