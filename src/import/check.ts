import { sep } from "node:path";
import { CUSTOM_MODEL } from "../kinds/custom-model/schema.js";
import type { Issue } from "../spec/issue.js";
import { loadProject } from "../spec/index.js";

/** What the next `validate` and `plan` will say of what an import wrote: checked right after writing. */
export interface WrittenCheck {
  /** Issues in the written manifests and folders (model-metadata.yaml included). */
  issues: Issue[];
  /** Per written model: files drgitops would upload that the version does not have, or the reverse. */
  fileDifferences: { key: string; added: string[]; missing: string[] }[];
}

const under = (file: string, folder: string): boolean =>
  file === folder || file.startsWith(`${folder}${sep}`);

/**
 * Loads the project as `validate` does (its whole root, so references resolve) and keeps what is
 * about the written files. Each written model's file list is compared with the version it came from.
 */
export async function checkWritten(
  root: string,
  namespace: string,
  written: readonly string[],
  versions: readonly { key: string; paths: readonly string[] }[] = [],
): Promise<WrittenCheck> {
  const loaded = await loadProject({ paths: [root], cwd: root, namespace });
  const issues = loaded.issues.filter((i) => written.some((w) => under(i.file, w)));
  const fileDifferences = versions.flatMap((v) => {
    const model = loaded.project.resources.find((r) => r.key === v.key && r.kind === CUSTOM_MODEL);
    const listing = model?.paths["source"]?.listing;
    if (listing === undefined) return [];
    const local = new Set(listing.map((f) => f.path));
    const live = new Set(v.paths);
    const added = [...local].filter((p) => !live.has(p)).sort();
    const missing = [...live].filter((p) => !local.has(p)).sort();
    return added.length + missing.length > 0 ? [{ key: v.key, added, missing }] : [];
  });
  return { issues, fileDifferences };
}
