import { UsageError } from "../errors.js";
import { findProjectRoot, loadProjectConfig } from "../spec/index.js";
import { NAMESPACE_PATTERN, NAMESPACE_RULE } from "../spec/schema/project-config.js";

/**
 * The namespace of model keys, the same for every command so `validate` and `plan` agree on keys:
 * --namespace, else the selected profile's, else drgitops.yaml, else the git remote's owner/repo,
 * else (inside loadProject) the folder.
 */
export async function namespaceFor(
  cwd: string,
  flag: string | undefined,
  profileNamespace?: string,
): Promise<string | undefined> {
  if (flag !== undefined) {
    // An empty or malformed namespace would make keys like "/churn" that no later run agrees on.
    if (!NAMESPACE_PATTERN.test(flag)) throw new UsageError(`--namespace "${flag}" ${NAMESPACE_RULE}`);
    return flag;
  }
  if (profileNamespace !== undefined) return profileNamespace;
  const root = await findProjectRoot(cwd);
  const { config } = await loadProjectConfig(root);
  if (config.namespace !== undefined) return config.namespace;
  // simple-git is loaded only when the namespace has to come from the remote.
  const { namespaceOfRepository } = await import("../git/index.js");
  return await namespaceOfRepository(root);
}
