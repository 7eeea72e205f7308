import { z } from "zod";
import { Sha256HexSchema } from "../../spec/digest.js";
import type { Issue } from "../../spec/issue.js";
import { issueAt, type LoadedResource } from "../../spec/project.js";
import { desiredBase, type DesiredBase, type DesiredInputs } from "../../reconcile/state.js";
import { datasetCatalogName, type DatasetManifest } from "./schema.js";

export const DatasetContentSchema = z.discriminatedUnion("type", [
  z.object({
    type: z.literal("file"),
    /** Relative to the project root. */
    localPath: z.string(),
    sha256: Sha256HexSchema,
    size: z.number().int().nonnegative(),
    /** `<metadata.name>-<first 12 hex>`: found again by name, never uploaded twice (DESIGN.md §5). */
    catalogName: z.string().min(1),
  }),
  z.object({ type: z.literal("existing"), id: z.string().min(1) }),
]);

export interface DesiredDataset extends DesiredBase {
  content: z.infer<typeof DatasetContentSchema>;
}

/** The catalog name a loaded file-backed Dataset manifest uploads under (undefined: not hashed, or an id). */
export function catalogNameOf(loaded: LoadedResource<DatasetManifest>): string | undefined {
  const hashed = loaded.manifest.spec.id === undefined ? loaded.paths["file"]?.files?.[0] : undefined;
  return hashed ? datasetCatalogName(loaded.name, hashed.sha256) : undefined;
}

export function desiredDataset(
  loaded: LoadedResource<DatasetManifest>,
  inputs: DesiredInputs,
): { value?: DesiredDataset; issues: Issue[] } {
  const base = desiredBase(loaded, inputs.project.root, ["spec.id"]);
  const spec = loaded.manifest.spec;
  if (spec.id !== undefined)
    return { value: { ...base, content: { type: "existing", id: spec.id } }, issues: [] };
  const path = loaded.paths["file"];
  const hashed = path?.files?.[0];
  if (path === undefined || hashed === undefined) return { issues: [notHashed(loaded, ["spec", "file"])] };
  return {
    value: {
      ...base,
      content: {
        type: "file",
        localPath: path.rel,
        sha256: hashed.sha256,
        size: hashed.size,
        catalogName: datasetCatalogName(loaded.name, hashed.sha256),
      },
    },
    issues: [],
  };
}

/** A loaded resource whose digests are missing: it was loaded without `hash: true`. */
export function notHashed(loaded: LoadedResource, path: string[]): Issue {
  return issueAt(loaded, path, "not-hashed", "content digests are missing: load the project with hash: true");
}
