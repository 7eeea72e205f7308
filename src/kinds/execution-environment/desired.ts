import { canonicalJson } from "../../spec/canonical-json.js";
import { compareCodePoints, normalisePosixPath, sha256Digest, type Digest } from "../../spec/digest.js";
import type { Issue } from "../../spec/issue.js";
import type { LoadedResource } from "../../spec/project.js";
import { desiredBase, type DesiredBase, type DesiredInputs } from "../../reconcile/state.js";
import { notHashed } from "../dataset/desired.js";
import type { ExecutionEnvironmentManifest } from "./schema.js";

export interface DesiredEnvironment extends DesiredBase {
  /** The environment's own fields (POST/PATCH executionEnvironments/), defaults written out. */
  fields: { name: string; description: string; programmingLanguage: string; useCases: string[] };
  /** The docker context folder, relative to the project root. */
  dockerContext: string;
  /** Digest of the context's file list; a new digest builds a new version. */
  contextDigest: Digest;
}

/** Digest of a docker context: the canonical JSON of its sorted (path, sha256) list. */
export function contextDigest(files: readonly { path: string; sha256: string }[]): Digest {
  const list = files
    .map((f) => ({ path: normalisePosixPath(f.path), sha256: f.sha256 }))
    .sort((a, b) => compareCodePoints(a.path, b.path));
  return sha256Digest(canonicalJson(list));
}

/** Digest of an environment's fields as declared: its trailer's `Drgitops-Applied`. */
export function environmentFieldsDigest(fields: DesiredEnvironment["fields"]): Digest {
  return sha256Digest(canonicalJson(fields));
}

export function desiredEnvironment(
  loaded: LoadedResource<ExecutionEnvironmentManifest>,
  inputs: DesiredInputs,
): { value?: DesiredEnvironment; issues: Issue[] } {
  const spec = loaded.manifest.spec;
  const context = loaded.paths["dockerContext"];
  if (context?.files === undefined) return { issues: [notHashed(loaded, ["spec", "dockerContext"])] };
  return {
    value: Object.assign(desiredBase(loaded, inputs.project.root), {
      fields: {
        name: spec.displayName ?? loaded.name,
        description: spec.description ?? "",
        // API.md §4.1 defaults, written out so a live default and an omitted field compare equal.
        programmingLanguage: spec.programmingLanguage ?? "other",
        useCases: spec.useCases ?? ["customModel"],
      },
      dockerContext: context.rel,
      contextDigest: contextDigest(context.files),
    }),
    issues: [],
  };
}
