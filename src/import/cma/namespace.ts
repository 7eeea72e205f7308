import { ProjectConfigSchema } from "../../spec/schema/project-config.js";
import { ResourceNameSchema } from "../../spec/schema/common.js";

/**
 * CMA's namespace (its `src/common/namepsace.py`): `--namespace NS` (the action's `namespace`
 * input), else `$GITHUB_REPOSITORY_ID`, always with a trailing `/`. A model's `userProvidedId` is
 * `user_provided_model_id` prefixed with it, unless the id already starts with it.
 */

/** `Namespace.init`: the namespace as CMA holds it, with its trailing slash. */
export function cmaNamespace(namespace: string): string {
  return namespace.endsWith("/") ? namespace : `${namespace}/`;
}

/** `Namespace.namespaced`: the `userProvidedId` CMA gives the model on DataRobot. */
export function cmaUserProvidedId(namespace: string, userProvidedModelId: string): string {
  return userProvidedModelId.startsWith(namespace)
    ? userProvidedModelId
    : `${namespace}${userProvidedModelId}`;
}

const isResourceName = (s: string): boolean => ResourceNameSchema.safeParse(s).success;
const isDrgitopsNamespace = (s: string): boolean => ProjectConfigSchema.shape.namespace.safeParse(s).success;

export interface KeySplit {
  /** drgitops' namespace: every key is `<namespace>/<metadata.name>`. */
  namespace: string;
  /** Per userProvidedId: the metadata.name that reproduces it, or null when none can. */
  names: Map<string, string | null>;
}

/**
 * drgitops keys that equal CMA's userProvidedIds. CMA's README recommends ids like
 * `<user>/<model-id>`, and a metadata.name cannot hold a `/`: so the folders every id shares after
 * CMA's namespace move into drgitops' namespace (`1234/` + `user/fraud` = `1234/user` + `fraud`).
 * That namespace is narrower than CMA's, so drgitops never sees models outside those folders.
 */
export function splitKeys(namespace: string, userProvidedIds: readonly string[]): KeySplit | null {
  const base = namespace.replace(/\/$/, "");
  if (!isDrgitopsNamespace(base)) return null;
  const rests = userProvidedIds.map((id) => id.slice(namespace.length).split("/"));
  let shared = 0;
  const first = rests[0] ?? [];
  while (
    shared < first.length - 1 &&
    rests.every((r) => r.length - 1 > shared && r[shared] === first[shared]) &&
    isDrgitopsNamespace([base, ...first.slice(0, shared + 1)].join("/"))
  )
    shared++;
  const drNamespace = [base, ...first.slice(0, shared)].join("/");
  const names = new Map<string, string | null>();
  userProvidedIds.forEach((id, i) => {
    const name = (rests[i] ?? []).slice(shared).join("/");
    names.set(id, isResourceName(name) ? name : null);
  });
  return { namespace: drNamespace, names };
}
