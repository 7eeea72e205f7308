import { relativePosix } from "../../reconcile/state.js";
import { reporter, type KindRule } from "../../spec/rules/context.js";
import { REGISTERED_MODEL, type PartialRegisteredModelManifest } from "./schema.js";

/** Registered model names are unique on DataRobot: two manifests cannot both have one. */
const uniqueDisplayName: KindRule<PartialRegisteredModelManifest> = (entry, ctx) => {
  const nameOf = (e: { name: string; manifest: unknown }): string =>
    (e.manifest as PartialRegisteredModelManifest).spec.displayName ?? e.name;
  const name = nameOf(entry);
  const first = ctx.entries.find((e) => e.kind === REGISTERED_MODEL && nameOf(e) === name);
  if (first === undefined || first === entry) return;
  reporter(
    ctx,
    entry,
  )({
    code: "duplicate-display-name",
    path: entry.manifest.spec.displayName === undefined ? ["metadata", "name"] : ["spec", "displayName"],
    message: `RegisteredModel "${first.name}" (${relativePosix(ctx.root, first.doc.file)}:${first.doc.line}) already has the name "${name}"; registered model names are unique on DataRobot`,
  });
};

export const registeredModelRules: readonly KindRule<PartialRegisteredModelManifest>[] = [uniqueDisplayName];
